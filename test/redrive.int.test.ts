import { db } from '../shared/db';
import { listStuck } from '../scripts/stuck';
import { pubsub } from '../shared/messaging/pubsub';
import { consumerFunctionName } from '../shared/topology';
import { eventually, settle, startSystem, type TestSystem } from './support/harness';
import { shop } from './support/shop';

/**
 * A cart whose order-requested never reached inventory (lost, or dead-lettered and dropped) is
 * re-driven by the cart-redrive job with the SAME event_id, and surfaced once the bound is passed.
 */
process.env.CART_REDRIVE_AFTER_SECONDS = '1';
process.env.CART_REDRIVE_MAX = '2';
let system: TestSystem;
let s: ReturnType<typeof shop>;

beforeAll(async () => {
  system = await startSystem(['products', 'inventory', 'cart', 'orders', 'messaging']);
  s = shop(system);
});
afterAll(() => system.stop());

const inventorySubscription = () => pubsub().subscription(consumerFunctionName('inventory', 'order-requested'));
const cartRow = (id: string) => db()('cart.carts').where({ id }).first();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Converts a cart while inventory's push subscription is detached: its order-requested reaches no one. */
async function convertWhileInventoryDeaf(customer: string): Promise<string> {
  const [config] = await inventorySubscription().getMetadata();
  await inventorySubscription().modifyPushConfig({ pushEndpoint: 'http://127.0.0.1:9/nowhere' });
  await inventorySubscription().delete();
  const cartId = await s.convert(customer);
  await settle();
  await pubsub()
    .topic('order-requested')
    .createSubscription(consumerFunctionName('inventory', 'order-requested'), {
      pushConfig: { pushEndpoint: config.pushConfig!.pushEndpoint! },
      ackDeadlineSeconds: config.ackDeadlineSeconds!,
    });
  return cartId;
}

describe('cart re-drive', () => {
  test('a lost order-requested is published again with the same event_id, and the cart gets its order', async () => {
    await s.stockedProduct('REDRIVE-1', 5, 3);
    const customer = s.newCustomer();
    await s.add(customer, 'REDRIVE-1', 1);
    const cartId = await convertWhileInventoryDeaf(customer);
    await pause(1_500);
    expect((await cartRow(cartId)).status).toBe('processing');

    expect(await system.runJob('cart-redrive')).toMatchObject({ redriven: 1 });
    const cart = await s.outcomeOf(cartId);
    expect(cart).toMatchObject({ status: 'ordered', redrive_count: 1, stuck_since: null });
    const requested = await db()('messaging.outbox')
      .where({ topic: 'order-requested' })
      .whereRaw(`attributes->>'correlation_id' = ?`, [cartId]);
    expect(requested).toHaveLength(1);
    const claims = await db()('messaging.processed_messages').where({ event_id: requested[0].id });
    expect(claims.map((c) => c.consumer)).toEqual([consumerFunctionName('inventory', 'order-requested')]);
    expect(await db()('orders.orders').where({ cart_id: cartId })).toHaveLength(1);
  });

  test('a slow (not lost) order-requested re-driven meanwhile changes nothing twice', async () => {
    await s.stockedProduct('REDRIVE-2', 5, 3);
    const customer = s.newCustomer();
    await s.add(customer, 'REDRIVE-2', 2);
    const cartId = await s.convert(customer);
    await s.outcomeOf(cartId);
    // the job sees nothing to do for a cart that has its outcome; forcing a re-publish of its event is a duplicate
    await db()('cart.carts')
      .where({ id: cartId })
      .update({ status: 'processing', updated_at: new Date(Date.now() - 5_000) });
    expect(await system.runJob('cart-redrive')).toMatchObject({ redriven: 1 });
    await settle();
    await db()('cart.carts').where({ id: cartId }).update({ status: 'ordered' });
    expect(await db()('inventory.reservations').where({ cart_id: cartId })).toHaveLength(1);
    expect(await s.stock('REDRIVE-2')).toMatchObject({ quantity: 1, reserved: 2 });
    expect(await db()('orders.orders').where({ cart_id: cartId })).toHaveLength(1);
  });

  test('past the bound the cart is surfaced as stuck instead of re-driven forever', async () => {
    await s.stockedProduct('REDRIVE-3', 5, 3);
    const customer = s.newCustomer();
    await s.add(customer, 'REDRIVE-3', 1);
    const cartId = await convertWhileInventoryDeaf(customer);
    // inventory never answers this cart: its handler is detached for good
    await inventorySubscription().delete();
    // re-driven after 1 s, then 2 s after that (the wait doubles), then surfaced 4 s after the second
    await pause(1_100);
    await system.runJob('cart-redrive');
    expect(await cartRow(cartId)).toMatchObject({ redrive_count: 1, stuck_since: null });
    await pause(1_100);
    await system.runJob('cart-redrive');
    expect(await cartRow(cartId)).toMatchObject({ redrive_count: 1 }); // not yet: the second wait is 2 s
    await pause(1_000);
    await system.runJob('cart-redrive');
    expect(await cartRow(cartId)).toMatchObject({ redrive_count: 2, stuck_since: null });
    await pause(4_100);
    await system.runJob('cart-redrive');
    const cart = await eventually(
      async () => {
        const row = await cartRow(cartId);
        return row.stuck_since !== null && row;
      },
      10_000,
      'the cart to be surfaced',
    );
    expect(cart).toMatchObject({ status: 'processing', redrive_count: 2 });
    expect(await listStuck(db())).toContainEqual(expect.objectContaining({ kind: 'cart', id: cartId, status: 'processing' }));
    await pause(8_100);
    expect(await system.runJob('cart-redrive')).toMatchObject({ redriven: 0, surfaced: 0 });
  });
});
