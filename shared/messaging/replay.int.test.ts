import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { captureTopic, eventually, publishRaw, startSystem, type TestSystem } from '../../test/support/harness';
import { inTransaction } from './outbox';
import { replayDeadLetters } from './replay';

/**
 * What reaches the dead-letter topic names its own source subscription: the recorder believes it
 * only when the topology and the outbox confirm it, and replay publishes only to a verified topic.
 */
let system: TestSystem;

beforeAll(async () => {
  system = await startSystem(['messaging']);
});
afterAll(() => system.stop());

const product = (sku: string) => ({ sku, name: sku, description: null, price: 10, version: 1 });
const envelope = (eventId: string, eventType: string) => ({
  event_id: eventId,
  event_type: eventType,
  event_version: '1',
  occurred_at: new Date().toISOString(),
  correlation_id: eventId,
});

/** Publishes to the dead-letter topic as Pub/Sub would after the last attempt, naming `subscription` as the source. */
async function deadLettered(subscription: string, eventType: string, data: object, eventId: string = randomUUID()) {
  await publishRaw('dead-letter', JSON.stringify(data), {
    ...envelope(eventId, eventType),
    CloudPubSubDeadLetterSourceSubscription: `projects/${system.project}/subscriptions/${subscription}`,
    CloudPubSubDeadLetterSourceDeliveryCount: '5',
  });
  return eventually(() => db()('messaging.dead_letters').where({ event_id: eventId }).first());
}

describe('dead-letter replay', () => {
  test('a letter for an event we produced, from a topology subscription of its topic, is replayed to that topic', async () => {
    const data = product(`REAL-${randomUUID().slice(0, 8)}`);
    const eventId = await inTransaction('products', ({ emit }) => emit('product.created', data, { correlationId: data.sku }));
    const letter = await deadLettered('cart-on-product-created', 'product.created', data, eventId);
    expect(letter).toMatchObject({ consumer: 'cart-on-product-created', topic: 'product.created', reason: 'max_attempts' });

    const capture = await captureTopic('product.created');
    expect(await replayDeadLetters({ ids: [letter.id] })).toEqual({ replayed: 1, skipped: [] });
    const replayed = await eventually(async () => capture.messages.find((m) => m.attributes.event_id === eventId));
    expect(replayed.data).toEqual(data);
    await capture.close();
  });

  test.each([
    ['a source that is not a subscription of the topology', 'attacker-sub', 'order.created', false],
    ['the recorder itself as its source', 'dead-letter-recorder', 'order.created', false],
    ['an event type that is not the source subscription’s topic', 'cart-on-product-created', 'order.created', false],
    ['a made-up event on the right topic (not in the outbox)', 'cart-on-order-created', 'order.created', false],
    ['a real event id with changed data', 'cart-on-product-created', 'product.created', true],
  ])('a letter naming %s is stored but never published', async (_case, subscription, eventType, realId) => {
    const forged = {
      order_id: randomUUID(),
      cart_id: randomUUID(),
      customer_id: randomUUID(),
      items: [{ product_sku: 'X', quantity: 1, unit_price: 0.01 }],
      total: 0.01,
      status: 'confirmed',
    };
    const eventId = realId
      ? await inTransaction('products', ({ emit }) => emit('product.created', product('SEEN'), { correlationId: 'SEEN' }))
      : undefined;
    const data = realId ? { ...product('SEEN'), price: 0.01 } : forged;
    const letter = await deadLettered(subscription, eventType, data, eventId);
    expect(letter.topic).toBeNull();

    const capture = await captureTopic(eventType);
    const result = await replayDeadLetters({ ids: [letter.id] });
    expect(result.replayed).toBe(0);
    expect(result.skipped).toEqual([{ id: Number(letter.id), why: expect.stringMatching(/not verified/) }]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(capture.messages.filter((m) => m.attributes.event_id === letter.event_id)).toEqual([]);
    expect((await db()('messaging.dead_letters').where({ id: letter.id }).first()).replayed_at).toBeNull();
    await capture.close();
  });
});
