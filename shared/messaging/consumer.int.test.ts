import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { db } from '../db';
import { PermanentError } from '../errors';
import { registerCloudEvent } from '../runtime/registry';
import { pushPath } from '../topology';
import { createPushSubscription } from '../../scripts/stack/provision';
import { eventually, publishRaw, startSystem, type TestSystem } from '../../test/support/harness';
import { consumerFunction, processMessage, type ConsumerSpec } from './consumer';
import { pubsub } from './pubsub';
import { replayDeadLetters } from './replay';

/**
 * The consumer wrapper, exercised through a probe consumer of product.created that receives
 * real pushes from the emulator through the Functions Framework. The probe's behaviour is
 * chosen by the product name: ok | fail-twice | permanent | always-fail.
 */
const PROBE = 'probe-on-product-created';
let system: TestSystem;
let server: Server;
const attempts = new Map<string, number>();
let permanentFixed = false;

const spec: ConsumerSpec<'product.created'> = {
  consumer: PROBE,
  service: 'products',
  event: 'product.created',
  handler: async ({ payload, eventId }, { tx, emit }) => {
    const n = (attempts.get(eventId) ?? 0) + 1;
    attempts.set(eventId, n);
    if (payload.name === 'fail-twice' && n <= 2) throw new Error(`transient failure ${n}`);
    if (payload.name === 'permanent' && !permanentFixed) throw new PermanentError('this product can never be handled');
    if (payload.name === 'always-fail') throw new Error('database is on fire');
    if (payload.name === 'bad-emit') await emit('product.updated', { ...payload, price: -1 });
    await tx('probe_effects').insert({ event_id: eventId, sku: payload.sku });
    await emit('product.updated', { ...payload, version: payload.version + 1 });
  },
};

beforeAll(async () => {
  system = await startSystem(['messaging']);
  await db().schema.createTable('probe_effects', (t) => {
    t.uuid('event_id');
    t.text('sku');
  });
  registerCloudEvent({ name: PROBE, service: 'products', kind: 'consumer' }, consumerFunction(spec));
  server = getTestServer(PROBE);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await createPushSubscription(
    pubsub(),
    { name: PROBE, topic: 'product.created', deadLetterTopic: 'dead-letter' },
    `http://127.0.0.1:${port}${pushPath(system.project, 'product.created')}`,
  );
});

afterAll(async () => {
  await system.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const envelopeFor = (eventId: string, extra: Record<string, string> = {}) => ({
  event_id: eventId,
  event_type: 'product.created',
  event_version: '1',
  occurred_at: new Date().toISOString(),
  correlation_id: 'corr-1',
  ...extra,
});
const product = (sku: string, name = 'ok') => JSON.stringify({ sku, name, description: null, price: 10, version: 1 });
const effects = (sku: string) => db()('probe_effects').where({ sku }).select('event_id');
const publishProduct = (sku: string, eventId = randomUUID(), name = 'ok') =>
  publishRaw('product.created', product(sku, name), envelopeFor(eventId));
const deadLetter = (where: Record<string, unknown>) => db()('messaging.dead_letters').where(where).first();

describe('consumer wrapper', () => {
  test('given a pushed event, when it is delivered, then the handler runs once and its outbox row carries causation and correlation', async () => {
    const eventId = randomUUID();
    await publishProduct('ONCE', eventId);
    await eventually(async () => (await effects('ONCE')).length === 1);
    const emitted = await eventually(() =>
      db()('messaging.outbox').whereRaw(`attributes->>'causation_id' = ?`, [eventId]).first(),
    );
    expect(emitted.attributes).toMatchObject({ event_type: 'product.updated', correlation_id: 'corr-1', causation_id: eventId });
    expect(emitted.data).toMatchObject({ sku: 'ONCE', version: 2 });
  });

  test('given the same event re-published with new message ids, then the effect happens once', async () => {
    const eventId = randomUUID();
    const ids = await Promise.all([
      publishProduct('REPUB', eventId),
      publishProduct('REPUB', eventId),
      publishProduct('REPUB', eventId),
    ]);
    expect(new Set(ids).size).toBe(3);
    await eventually(async () => (await effects('REPUB')).length === 1);
    await eventually(
      async () =>
        attempts.get(eventId) === 1 && (await db()('messaging.processed_messages').where({ event_id: eventId })).length === 1,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await effects('REPUB')).toHaveLength(1);
  });

  test('given ten concurrent deliveries of one event, then exactly one is processed and nine are duplicates', async () => {
    const eventId = randomUUID();
    const message = { messageId: 'm', attributes: envelopeFor(eventId), text: product('CONCURRENT') };
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => processMessage(spec, message)));
    expect(outcomes.filter((o) => o === 'processed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    expect(await effects('CONCURRENT')).toHaveLength(1);
  });

  test('given ten concurrent pushes of one event, then the effect happens once', async () => {
    const eventId = randomUUID();
    await Promise.all(Array.from({ length: 10 }, () => publishProduct('CONCURRENT-PUSH', eventId)));
    await eventually(async () => (await effects('CONCURRENT-PUSH')).length === 1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await effects('CONCURRENT-PUSH')).toHaveLength(1);
  });

  test('given a handler that fails twice, when Pub/Sub redelivers, then the third attempt succeeds with one effect and nothing of the failed attempts', async () => {
    const eventId = randomUUID();
    await publishProduct('FLAKY', eventId, 'fail-twice');
    await eventually(async () => (await effects('FLAKY')).length === 1, 30_000);
    expect(attempts.get(eventId)).toBe(3);
    expect(await db()('messaging.outbox').whereRaw(`attributes->>'causation_id' = ?`, [eventId])).toHaveLength(1);
  });

  test.each([
    ['data that is not JSON', () => publishRaw('product.created', 'not json {', envelopeFor(randomUUID())), 'undecodable'],
    [
      'a payload that fails its schema',
      () => publishRaw('product.created', JSON.stringify({ sku: 'P', price: -1 }), envelopeFor(randomUUID())),
      'invalid',
    ],
    ['no envelope attributes', () => publishRaw('product.created', product('NOENV')), 'invalid'],
    [
      'the wrong event_type',
      () => publishRaw('product.created', product('WRONG'), envelopeFor(randomUUID(), { event_type: 'order.created' })),
      'invalid',
    ],
  ])(
    'given a poison message with %s, then it is dead-lettered once, acknowledged, and the next good event still flows',
    async (_case, publish, reason) => {
      const messageId = await publish();
      const letter = await eventually(() => deadLetter({ message_id: messageId }));
      expect(letter).toMatchObject({ consumer: PROBE, reason });
      const good = `AFTER-${reason}-${randomUUID().slice(0, 8)}`;
      await publishProduct(good);
      await eventually(async () => (await effects(good)).length === 1);
      expect(await db()('messaging.dead_letters').where({ message_id: messageId })).toHaveLength(1);
    },
  );

  test('given a message with empty data, then it does not block the subscription and ends in the dead-letter store', async () => {
    const messageId = await publishRaw('product.created', Buffer.alloc(0), envelopeFor(randomUUID()));
    await publishProduct('AFTER-EMPTY');
    await eventually(async () => (await effects('AFTER-EMPTY')).length === 1);
    const letter = await eventually(() => deadLetter({ message_id: messageId }), 45_000);
    expect(['undecodable', 'max_attempts']).toContain(letter.reason);
  });

  test('given a handler that throws a permanent error, then the event is dead-lettered with the error and not retried', async () => {
    const eventId = randomUUID();
    await publishProduct('PERMANENT', eventId, 'permanent');
    const letter = await eventually(() => deadLetter({ event_id: eventId }));
    expect(letter).toMatchObject({ consumer: PROBE, reason: 'permanent', error: 'this product can never be handled' });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(attempts.get(eventId)).toBe(1);
    expect(await effects('PERMANENT')).toHaveLength(0);
  });

  test('given a handler that emits a payload its schema refuses, then the event is dead-lettered at once and nothing is written', async () => {
    const eventId = randomUUID();
    await publishProduct('BAD-EMIT', eventId, 'bad-emit');
    const letter = await eventually(() => deadLetter({ event_id: eventId }));
    expect(letter).toMatchObject({ consumer: PROBE, reason: 'permanent' });
    expect(letter.error).toMatch(/price/);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(attempts.get(eventId)).toBe(1);
    expect(await db()('messaging.outbox').whereRaw(`attributes->>'causation_id' = ?`, [eventId])).toHaveLength(0);
  });

  test('given a handler that always fails, then after the maximum attempts Pub/Sub dead-letters it and the store keeps the last error', async () => {
    const eventId = randomUUID();
    await publishProduct('DOOMED', eventId, 'always-fail');
    const letter = await eventually(() => deadLetter({ event_id: eventId, reason: 'max_attempts' }), 55_000);
    expect(letter.consumer).toBe(PROBE);
    expect(letter.error).toContain('database is on fire');
    expect(attempts.get(eventId)).toBeGreaterThanOrEqual(5);
  }, 70_000);

  test('given a dead letter whose cause was fixed, when it is replayed, then it is processed once and marked replayed', async () => {
    const eventId = randomUUID();
    await publishProduct('REPLAY', eventId, 'permanent');
    const letter = await eventually(() => deadLetter({ event_id: eventId }));
    permanentFixed = true;
    try {
      expect(await replayDeadLetters({ ids: [letter.id] })).toEqual({ replayed: 1, skipped: [] });
      await eventually(async () => (await effects('REPLAY')).length === 1);
      expect((await deadLetter({ id: letter.id })).replayed_at).not.toBeNull();
      expect(await replayDeadLetters({ ids: [letter.id] })).toEqual({ replayed: 0, skipped: [] });
    } finally {
      permanentFixed = false;
    }
  });

  test.each([
    ['a JSON-escaped NUL', JSON.stringify({ sku: 'NUL', name: 'a\u0000b', description: null, price: 1, version: 1 })],
    ['a raw NUL byte', Buffer.concat([Buffer.from('{"sku":"NUL"'), Buffer.from([0]), Buffer.from('}')])],
  ])('given a message with %s, then it is stored as an invalid dead letter and does not loop', async (_case, data) => {
    const messageId = await publishRaw('product.created', data, envelopeFor(randomUUID()));
    const letter = await eventually(() => deadLetter({ message_id: messageId }));
    expect(letter).toMatchObject({ reason: 'invalid', error: 'the message contains NUL characters' });
    expect(letter.data).toContain('\\u0000');
  });

  test('given a replayed dead letter that fails again, then it can be replayed again once fixed', async () => {
    const eventId = randomUUID();
    await publishProduct('REPLAY-TWICE', eventId, 'permanent');
    const letter = await eventually(() => deadLetter({ event_id: eventId }));
    expect(await replayDeadLetters({ ids: [letter.id] })).toEqual({ replayed: 1, skipped: [] });
    await eventually(async () => attempts.get(eventId) === 2 && (await deadLetter({ id: letter.id })).replayed_at === null);
    permanentFixed = true;
    try {
      expect(await replayDeadLetters({ ids: [letter.id] })).toEqual({ replayed: 1, skipped: [] });
      await eventually(async () => (await effects('REPLAY-TWICE')).length === 1);
    } finally {
      permanentFixed = false;
    }
  });
});
