import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { startSystem, type TestSystem } from '../../test/support/harness';

/** The prune job removes only what Pub/Sub can no longer redeliver (older than RETENTION_DAYS ≥ 8 > 7-day retention). */
let system: TestSystem;
beforeAll(async () => {
  system = await startSystem(['messaging']);
});
afterAll(() => system.stop());

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);

test('given dedupe records, outbox rows and Idempotency-Keys of various ages, when the prune job runs, then only those past retention are deleted', async () => {
  const [oldEvent, recentEvent] = [randomUUID(), randomUUID()];
  await db()('messaging.processed_messages').insert([
    { consumer: 'c', event_id: oldEvent, processed_at: daysAgo(9) },
    { consumer: 'c', event_id: recentEvent, processed_at: daysAgo(6.9) },
  ]);
  const outbox = (id: string, created: Date, published: Date | null) => ({
    id,
    service: 'products',
    topic: 'product.deleted',
    data: JSON.stringify({ sku: 'X', version: 2 }),
    attributes: {},
    created_at: created,
    published_at: published,
  });
  const [oldPublished, recentPublished, oldUnpublished] = [randomUUID(), randomUUID(), randomUUID()];
  await db()('messaging.outbox').insert([
    outbox(oldPublished, daysAgo(10), daysAgo(10)),
    outbox(recentPublished, daysAgo(2), daysAgo(2)),
    outbox(oldUnpublished, daysAgo(10), null),
  ]);

  await db()('api.idempotency_keys').insert([
    { scope: 's', key: 'old', request_hash: 'h', created_at: daysAgo(9) },
    { scope: 's', key: 'recent', request_hash: 'h', created_at: daysAgo(1) },
  ]);

  const res = await fetch(system.hosts.messaging!.functionUrl('messaging-prune'), { method: 'POST' });
  expect(await res.json()).toEqual({ job: 'messaging-prune', processed: 1, outbox: 1, idempotency_keys: 1 });
  expect((await db()('api.idempotency_keys').select('key')).map((r) => r.key)).toEqual(['recent']);

  expect((await db()('messaging.processed_messages').select('event_id')).map((r) => r.event_id)).toEqual([recentEvent]);
  const left = (await db()('messaging.outbox').select('id')).map((r) => r.id).sort();
  expect(left).toEqual([recentPublished, oldUnpublished].sort());
});
