import { db } from '../../shared/db';
import { eventually, settle, startSystem, type TestSystem } from '../../test/support/harness';
import { losingFor } from '../../test/support/lose';
import { consumerFunctionName } from '../../shared/topology';

/** The undelivered re-drive: an event a consumer never got is published again, boundedly. */
let system: TestSystem;

beforeAll(async () => {
  Object.assign(process.env, { UNDELIVERED_REDRIVE_AFTER_SECONDS: '1', UNDELIVERED_REDRIVE_MAX: '2' });
  // notifications is not hosted: customer.created has a consumer in the topology that never gets it
  system = await startSystem(['products', 'cart', 'customers', 'messaging']);
});
afterAll(() => system.stop());

const outboxRow = (topic: string, key: string, value: string) =>
  db()('messaging.outbox').where({ topic }).whereRaw(`data->>? = ?`, [key, value]).first();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('undelivered-redrive', () => {
  test('given product.created lost on its way to the cart, when the job runs, then the cart gets it once and it is not re-driven again', async () => {
    await losingFor('cart', 'product.created', async () => {
      expect(
        (await system.http('products')('POST', '/products', { body: { sku: 'LOST-1', name: 'Lost', price: 3 } })).status,
      ).toBe(201);
    });
    expect(await db()('cart.products').where({ sku: 'LOST-1' }).first()).toBeUndefined();
    await pause(1_200);

    expect(await system.runJob('undelivered-redrive')).toMatchObject({ redriven: expect.any(Number) });
    await eventually(() => db()('cart.products').where({ sku: 'LOST-1' }).first(), 20_000, 'the cart projection');
    await settle();
    await pause(1_200);
    await system.runJob('undelivered-redrive');
    const row = await outboxRow('product.created', 'sku', 'LOST-1');
    expect(row).toMatchObject({ redrive_count: 1, stuck_since: null });
  });

  test('given a consumer still busy with what was published before an event, then the event counts as queued, not lost, until the consumer gets past it', async () => {
    const consumer = consumerFunctionName('cart', 'product.created');
    const create = async (sku: string) =>
      expect((await system.http('products')('POST', '/products', { body: { sku, name: sku, price: 3 } })).status).toBe(201);
    await create('QUEUED-BEFORE');
    await eventually(() => db()('cart.products').where({ sku: 'QUEUED-BEFORE' }).first(), 20_000, 'the earlier product');
    await losingFor('cart', 'product.created', () => create('QUEUED'));
    await pause(1_200);
    const before = await outboxRow('product.created', 'sku', 'QUEUED-BEFORE');
    // the cart processed something just now, and nothing published after QUEUED: it is working through a backlog
    await db()('messaging.processed_messages').where({ consumer, event_id: before.id }).update({ processed_at: db().fn.now() });

    await system.runJob('undelivered-redrive');
    expect(await outboxRow('product.created', 'sku', 'QUEUED')).toMatchObject({ redrive_count: 0 });

    await create('QUEUED-AFTER'); // the cart gets past it: QUEUED was lost
    await eventually(() => db()('cart.products').where({ sku: 'QUEUED-AFTER' }).first(), 20_000, 'the later product');
    await system.runJob('undelivered-redrive');
    expect(await outboxRow('product.created', 'sku', 'QUEUED')).toMatchObject({ redrive_count: 1 });
    await eventually(() => db()('cart.products').where({ sku: 'QUEUED' }).first(), 20_000, 'the lost product');
  });

  test('given a dead letter replayed but never processed, when the job runs, then it is re-driven; one not yet replayed is left to the operator', async () => {
    const consumer = consumerFunctionName('cart', 'product.created');
    const letter = (sku: string, replayedAt: Date | null) => async () => {
      const row = await outboxRow('product.created', 'sku', sku);
      await db()('messaging.dead_letters').insert({
        consumer,
        dedupe_key: row.id,
        reason: 'max_attempts',
        error: 'the cart was down',
        event_id: row.id,
        event_type: 'product.created',
        data: JSON.stringify(row.data),
        topic: 'product.created',
        replayed_at: replayedAt,
      });
    };
    await losingFor('cart', 'product.created', async () => {
      for (const sku of ['REPLAY-LOST', 'NOT-REPLAYED']) {
        const body = { sku, name: 'Dead-lettered', price: 3 };
        expect((await system.http('products')('POST', '/products', { body })).status).toBe(201);
      }
    });
    await letter('REPLAY-LOST', new Date(Date.now() - 5_000))();
    await letter('NOT-REPLAYED', null)();
    await pause(1_200);

    await system.runJob('undelivered-redrive');
    await eventually(() => db()('cart.products').where({ sku: 'REPLAY-LOST' }).first(), 20_000, 'the replayed product');
    await settle();
    expect(await db()('cart.products').where({ sku: 'NOT-REPLAYED' }).first()).toBeUndefined();
    expect(await outboxRow('product.created', 'sku', 'NOT-REPLAYED')).toMatchObject({ redrive_count: 0 });
  });

  test('given a consumer that never gets an event, then it is re-driven UNDELIVERED_REDRIVE_MAX times and surfaced', async () => {
    const created = await system.http('customers')('POST', '/customers', {
      body: { name: 'Nobody Home', email: 'nobody@example.com' },
    });
    expect(created.status).toBe(201);
    await settle();
    // re-driven after 1 s, then 2 s after that (each wait doubles), then surfaced 4 s after the second
    const row = () => outboxRow('customer.created', 'customer_id', created.body.id);
    await pause(1_200);
    await system.runJob('undelivered-redrive');
    expect(await row()).toMatchObject({ redrive_count: 1, stuck_since: null });
    await pause(1_200);
    await system.runJob('undelivered-redrive');
    expect((await row()).redrive_count).toBe(1); // backed off: the second wait is 2 s
    await pause(1_000);
    await system.runJob('undelivered-redrive');
    expect(await row()).toMatchObject({ redrive_count: 2, stuck_since: null });
    await pause(4_100);
    await system.runJob('undelivered-redrive');
    expect(await row()).toMatchObject({ redrive_count: 2, stuck_since: expect.any(Date) });
  });
});
