import { db } from '../shared/db';
import { eventually, startSystem, type TestSystem } from './support/harness';
import { shop } from './support/shop';

/**
 * The pure-event order flow through HTTP, the emulator and PostgreSQL: cart → order-requested →
 * inventory → stock-available | stock.rejected → orders → order.created → cart, and cancellation.
 */
let system: TestSystem;
let s: ReturnType<typeof shop>;

beforeAll(async () => {
  system = await startSystem(['products', 'inventory', 'cart', 'orders', 'messaging']);
  s = shop(system);
});
afterAll(() => system.stop());

describe('order flow', () => {
  test('I3 happy path: a converted cart becomes one confirmed order, stock is reserved and the cart is ordered', async () => {
    await s.stockedProduct('FLOW-A', 12.5, 10);
    await s.stockedProduct('FLOW-B', 0.1, 100);
    const customer = s.newCustomer();
    await s.add(customer, 'FLOW-A', 2);
    await s.add(customer, 'FLOW-B', 3);
    const cartId = await s.convert(customer);

    const order = await s.orderOf(customer, cartId);
    expect(order).toMatchObject({ cart_id: cartId, customer_id: customer, status: 'confirmed', total: 25.3 });
    expect(order.items).toEqual([
      { product_sku: 'FLOW-A', quantity: 2, unit_price: 12.5 },
      { product_sku: 'FLOW-B', quantity: 3, unit_price: 0.1 },
    ]);
    expect(await s.stock('FLOW-A')).toMatchObject({ quantity: 8, reserved: 2 });
    await eventually(async () => (await db()('cart.carts').where({ id: cartId }).first()).status === 'ordered');

    const history = (await system.http('orders')('GET', `/orders/${order.id}/history`, { customer })).body.data;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ from_status: null, to_status: 'confirmed', caused_by_event_type: 'stock-available' });
    expect(history[0].caused_by_event_id).toMatch(/^[0-9a-f-]{36}$/);

    const next = await s.add(customer, 'FLOW-A', 1);
    expect(next.cart.id).not.toBe(cartId);
    expect(next.cart.status).toBe('active');
  });

  test('rejection path: the cart is unlocked with the shortfall, keeps its items, and converts after the fix', async () => {
    await s.stockedProduct('SCARCE', 5, 2);
    const customer = s.newCustomer();
    await s.add(customer, 'SCARCE', 3);
    const cartId = await s.convert(customer);

    const rejected = await s.outcomeOf(cartId);
    expect(rejected).toMatchObject({ status: 'stock-unavailable', cart_locked: false });
    const view = await s.cart(customer);
    expect(view.cart.rejection).toEqual({
      reason: 'insufficient_stock',
      details: [{ product_sku: 'SCARCE', requested: 3, available: 2 }],
    });
    expect(view.items).toEqual([{ product_sku: 'SCARCE', quantity: 3, unit_price: 5 }]);
    expect(await s.stock('SCARCE')).toMatchObject({ quantity: 2, reserved: 0 });

    await system.http('cart')('DELETE', '/cart/items/SCARCE', { customer });
    expect((await s.cart(customer)).cart).toMatchObject({ status: 'active', rejection: null });
    await s.add(customer, 'SCARCE', 2);
    expect(await s.convert(customer)).toBe(cartId);
    expect(await s.orderOf(customer, cartId)).toMatchObject({ status: 'confirmed', total: 10 });
    expect(await s.stock('SCARCE')).toMatchObject({ quantity: 0, reserved: 2 });
  });

  test('a multi-item cart with one short item reserves nothing', async () => {
    await s.stockedProduct('MULTI-OK', 1, 50);
    await s.stockedProduct('MULTI-SHORT', 1, 1);
    const customer = s.newCustomer();
    await s.add(customer, 'MULTI-OK', 5);
    await s.add(customer, 'MULTI-SHORT', 2);
    const cartId = await s.convert(customer);
    expect(await s.outcomeOf(cartId)).toMatchObject({ status: 'stock-unavailable' });
    expect(await s.stock('MULTI-OK')).toMatchObject({ quantity: 50, reserved: 0 });
    expect(await s.stock('MULTI-SHORT')).toMatchObject({ quantity: 1, reserved: 0 });
    expect(await db()('inventory.reservations').where({ cart_id: cartId })).toHaveLength(0);
  });

  test('an unknown SKU in an order request is a rejection with reason unknown_sku, not a crash', async () => {
    await s.stockedProduct('KNOWN', 3, 5);
    await system.http('products')('POST', '/products', { body: { sku: 'NO-STOCK-RECORD', name: 'x', price: 1 } });
    await eventually(() => db()('cart.products').where({ sku: 'NO-STOCK-RECORD' }).first());
    const customer = s.newCustomer();
    await s.add(customer, 'KNOWN', 1);
    await s.add(customer, 'NO-STOCK-RECORD', 1);
    const cartId = await s.convert(customer);
    expect(await s.outcomeOf(cartId)).toMatchObject({ status: 'stock-unavailable' });
    expect((await s.cart(customer)).cart.rejection.reason).toBe('unknown_sku');
  });

  test('cancellation returns the stock exactly once; a second cancel is a 409 and emits nothing', async () => {
    await s.stockedProduct('CANCEL-ME', 20, 10);
    const customer = s.newCustomer();
    await s.add(customer, 'CANCEL-ME', 4);
    const order = await s.orderOf(customer, await s.convert(customer));
    expect(await s.stock('CANCEL-ME')).toMatchObject({ quantity: 6, reserved: 4 });

    const orders = system.http('orders');
    const cancelled = await orders('POST', `/orders/${order.id}/cancel`, { customer, body: { reason: 'changed my mind' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancel_reason: 'changed my mind' });
    await eventually(async () => (await s.stock('CANCEL-ME')).quantity === 10);
    expect(await s.stock('CANCEL-ME')).toMatchObject({ quantity: 10, reserved: 0 });

    const again = await orders('POST', `/orders/${order.id}/cancel`, { customer });
    expect(again.status).toBe(409);
    expect((await orders('DELETE', `/orders/${order.id}`, { customer })).status).toBe(409);
    const cancelEvents = await db()('messaging.outbox')
      .where({ topic: 'order.cancelled' })
      .whereRaw(`data->>'order_id' = ?`, [order.id]);
    expect(cancelEvents).toHaveLength(1);

    const history = (await orders('GET', `/orders/${order.id}/history`, { customer })).body.data;
    expect(history.map((h: { to_status: string }) => h.to_status)).toEqual(['confirmed', 'cancelled']);
    expect(history[1]).toMatchObject({
      from_status: 'confirmed',
      reason: 'changed my mind',
      emitted_event_id: cancelEvents[0].id,
    });
  });

  test('DELETE /orders/:id cancels like POST /cancel', async () => {
    await s.stockedProduct('DELETE-ME', 2, 3);
    const customer = s.newCustomer();
    await s.add(customer, 'DELETE-ME', 3);
    const order = await s.orderOf(customer, await s.convert(customer));
    expect((await system.http('orders')('DELETE', `/orders/${order.id}`, { customer })).body.status).toBe('cancelled');
    await eventually(async () => (await s.stock('DELETE-ME')).quantity === 3);
  });
});
