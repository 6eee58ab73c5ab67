import { db } from '../shared/db';
import type { EventName } from '../shared/events/catalog';
import type { ServiceName } from '../shared/topology';
import type { SmtpSink } from '../scripts/stack/smtp-sink';
import { eventually, settle, type HttpClient, type TestSystem } from './support/harness';
import { startWithSmtpSink } from './support/notification-fixtures';
import { losingFor } from './support/lose';
import { shop } from './support/shop';

/**
 * Issue 14: a message lost at any hop of the saga (deleted before its consumer saw it) is healed by
 * the product itself — the re-drive jobs publish the waiting item's own event again with the same
 * event_id, and every consumer that gets a duplicate re-publishes what it caused; a reply that was
 * produced but lost is published again by `undelivered-redrive` — until the right final state is
 * reached, with every effect exactly once.
 */
Object.assign(process.env, {
  CART_REDRIVE_AFTER_SECONDS: '1',
  ORDER_REDRIVE_AFTER_SECONDS: '1',
  NOTIFICATION_REDRIVE_AFTER_SECONDS: '1',
  UNDELIVERED_REDRIVE_AFTER_SECONDS: '1',
  REDRIVE_MIN_AGE_MS: '500', // below the re-drive periods, as in production (10 s below 300 s)
});
jest.setTimeout(120_000);
let system: TestSystem;
let sink: SmtpSink;
let stopAll: () => Promise<void>;
let s: ReturnType<typeof shop>;
let orders: HttpClient;

beforeAll(async () => {
  ({
    system,
    sink,
    stop: stopAll,
  } = await startWithSmtpSink([
    'products',
    'inventory',
    'cart',
    'orders',
    'payments',
    'shipments',
    'customers',
    'notifications',
    'email',
    'push',
    'messaging',
  ]));
  s = shop(system);
  orders = system.http('orders');
});
afterAll(() => stopAll());

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stockRow = (sku: string) => db()('inventory.stock').where({ product_sku: sku }).first('available', 'reserved', 'sold');
const count = async (table: string, where: Record<string, unknown>) =>
  Number((await db()(table).where(where).count<{ n: string }[]>('* as n'))[0].n);

/** Runs every re-drive job (as the scheduler would), until `done` holds. */
async function healUntil(what: string, done: () => Promise<boolean>): Promise<void> {
  await eventually(
    async () => {
      if (await done()) return true;
      await pause(1_100);
      for (const job of ['cart-redrive', 'orders-redrive', 'notifications-redrive', 'undelivered-redrive'] as const) {
        await system.runJob(job);
      }
      await settle(500, 20_000);
      return done();
    },
    110_000,
    what,
  );
}

let sku = 0;
/** A registered customer buying one unit of a fresh product, with one hop of the chain deaf while it happens. */
async function orderLosing(service: ServiceName, event: EventName, address?: object) {
  const product = `HEAL-${++sku}`;
  await s.stockedProduct(product, 11, 4);
  const created = await system.http('customers')('POST', '/customers', {
    body: { name: 'Heal Me', email: `heal-${sku}-${Date.now()}@example.com` },
  });
  expect(created.status).toBe(201);
  const customer = created.body.id as string;
  await eventually(() => db()('notifications.customers').where({ id: customer }).first(), 20_000, 'customer projection');
  await s.add(customer, product, 1);
  const cartId = await losingFor(service, event, async () => {
    const res = await system.http('cart')('POST', '/cart/convert-to-order', {
      customer,
      body: address ? { shipping_address: address } : undefined,
    });
    expect(res.status).toBe(202);
    await pause(1_500); // the flow runs up to the deaf hop
    return res.body.cart_id as string;
  });
  return { customer, cartId, product };
}

const orderOfCart = (cartId: string) => db()('orders.orders').where({ cart_id: cartId }).first();
const shippedAndSold = (cartId: string, product: string) => async () =>
  (await orderOfCart(cartId))?.status === 'shipped' &&
  (await stockRow(product)).sold === 1 &&
  (await db()('cart.carts').where({ id: cartId }).first()).status === 'ordered';

/** Every effect of one shipped order exactly once: order, reservation, charge, booking, and one email + push per step. */
async function exactlyOnce(cartId: string, product: string) {
  const order = await orderOfCart(cartId);
  await settle();
  expect(await count('orders.orders', { cart_id: cartId })).toBe(1);
  expect(await count('inventory.reservations', { cart_id: cartId })).toBe(1);
  expect(await stockRow(product)).toEqual({ available: 3, reserved: 0, sold: 1 });
  expect(await count('payments.payments', { order_id: order.id })).toBe(1);
  expect([...system.sandboxes!.payments!.charges.values()].filter((c) => c.reference === order.id)).toHaveLength(1);
  expect([...system.sandboxes!.carrier!.bookings.values()].filter((b) => b.reference === order.id)).toHaveLength(1);
  const notes = await db()('notifications.notifications')
    .where({ customer_id: order.customer_id })
    .select('kind', 'channel', 'status');
  const kinds = notes.map((n) => `${n.kind}/${n.channel}`).sort();
  expect(kinds).toEqual(
    ['order_created', 'payment_succeeded', 'order_shipped'].flatMap((k) => [`${k}/email`, `${k}/push`]).sort(),
  );
}

describe('a message lost at one hop is healed by the product, every effect once', () => {
  test.each([
    ['inventory', 'order-requested'],
    ['orders', 'stock-available'],
    ['cart', 'order.created'],
    ['payments', 'order.created'],
    ['orders', 'payment.succeeded'],
    ['shipments', 'payment.succeeded'],
    ['orders', 'shipment.scheduled'],
    ['inventory', 'shipment.scheduled'],
    ['notifications', 'shipment.scheduled'],
  ] as [ServiceName, EventName][])('%s never gets %s', async (service, event) => {
    const { cartId, product } = await orderLosing(service, event);
    await healUntil(`shipped and sold after losing ${event} to ${service}`, async () => {
      const done = await shippedAndSold(cartId, product)();
      if (!done) return false;
      const order = await orderOfCart(cartId);
      return (await count('notifications.notifications', { customer_id: order.customer_id, kind: 'order_shipped' })) === 2;
    });
    await exactlyOnce(cartId, product);
  });

  test('a reply that was produced but lost is re-published by undelivered-redrive; the order waiting for it is not re-driven', async () => {
    const { cartId, product } = await orderLosing('orders', 'shipment.scheduled');
    const order = await eventually(() => orderOfCart(cartId), 20_000, 'order');
    const notes = db()('notifications.notifications').where({ customer_id: order.customer_id });
    const shippedMails = () => notes.clone().where({ kind: 'order_shipped', status: 'sent' });
    await eventually(async () => (await shippedMails()).length === 2, 20_000, 'the shipment notified');
    await pause(1_100);
    await system.runJob('orders-redrive');
    await system.runJob('notifications-redrive');
    // its shipment.scheduled is in the outbox: nothing upstream of it is lost
    expect(await orderOfCart(cartId)).toMatchObject({ status: 'paid', redrive_count: 0 });
    expect(await notes.clone().where('redrive_count', '>', 0)).toEqual([]); // every channel produced its result
    await system.runJob('undelivered-redrive');
    await eventually(shippedAndSold(cartId, product), 30_000, 'the order shipped once shipment.scheduled reached it');
    await exactlyOnce(cartId, product);
  });

  test('a cancellation inventory never hears of still returns the stock, once', async () => {
    const product = `HEAL-${++sku}`;
    await s.stockedProduct(product, 6_500, 2); // a total the payment sandbox never answers: the order waits in confirmed
    const customer = s.newCustomer();
    await s.add(customer, product, 1);
    const order = await s.orderOf(customer, await s.convert(customer));
    await losingFor('inventory', 'order.cancelled', async () => {
      expect((await orders('POST', `/orders/${order.id}/cancel`, { customer })).status).toBe(200);
    });
    expect(await stockRow(product)).toEqual({ available: 1, reserved: 1, sold: 0 });
    await healUntil('stock returned', async () => (await stockRow(product)).available === 2);
    await settle();
    expect(await stockRow(product)).toEqual({ available: 2, reserved: 0, sold: 0 });
    expect(await count('inventory.reservations', { cart_id: order.cart_id, status: 'released' })).toBe(1);
  });

  test('a mail request the email service never got, and a delivery result notifications never got, are sent once', async () => {
    for (const [service, event] of [
      ['email', 'email.requested'],
      ['notifications', 'notification.delivered'],
    ] as [ServiceName, EventName][]) {
      const { cartId } = await orderLosing(service, event);
      const order = await eventually(() => orderOfCart(cartId), 20_000, 'order');
      await healUntil(`every notification sent after losing ${event}`, async () => {
        const pending = await count('notifications.notifications', { customer_id: order.customer_id, status: 'pending' });
        const sent = await count('notifications.notifications', { customer_id: order.customer_id, status: 'sent' });
        return pending === 0 && sent >= 6;
      });
      await settle();
      const email = (await db()('customers.customers').where({ id: order.customer_id }).first()).email;
      const mails = sink.received.filter((m) => m.envelope_to.includes(email));
      expect(mails.map((m) => m.subject?.split(':')[0]).sort()).toEqual(['Order confirmed', 'Order shipped', 'Payment received']);
    }
  });
});
