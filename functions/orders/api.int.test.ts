import { db } from '../../shared/db';
import { startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';
import { shop } from '../../test/support/shop';

/** Orders API: ownership, filters, the editable fields, and bad input. */
let system: TestSystem;
let orders: HttpClient;
let s: ReturnType<typeof shop>;
let alice: string;
let bob: string;
let aliceOrder: { id: string; cart_id: string };

beforeAll(async () => {
  system = await startSystem(['products', 'inventory', 'cart', 'orders', 'messaging']);
  orders = system.http('orders');
  s = shop(system);
  await s.stockedProduct('ORD-1', 10, 100);
  [alice, bob] = [s.newCustomer(), s.newCustomer()];
  await s.add(alice, 'ORD-1', 1);
  aliceOrder = await s.orderOf(alice, await s.convert(alice));
  await s.add(bob, 'ORD-1', 2);
  await s.orderOf(bob, await s.convert(bob));
});
afterAll(() => system.stop());

describe('orders API', () => {
  test('a customer lists only its own orders; an admin lists all and filters', async () => {
    const own = (await orders('GET', '/orders', { customer: alice })).body.data;
    expect(own.map((o: { customer_id: string }) => o.customer_id)).toEqual([alice]);
    expect((await orders('GET', `/orders?customer_id=${bob}`, { customer: alice })).body.data).toEqual([]);
    expect((await orders('GET', '/orders')).body.data).toHaveLength(2);
    expect((await orders('GET', `/orders?customer_id=${bob}`)).body.data).toHaveLength(1);
    expect((await orders('GET', '/orders?status=cancelled')).body.data).toHaveLength(0);
  });

  test('an order by its cart: the one order with its items, for its customer or an admin, and nobody else', async () => {
    const byCart = `/orders?cart_id=${aliceOrder.cart_id}`;
    const [order] = (await orders('GET', byCart, { customer: alice })).body.data;
    expect(order).toMatchObject({ id: aliceOrder.id, cart_id: aliceOrder.cart_id, customer_id: alice, status: 'confirmed' });
    expect(order).toMatchObject({ total: 10, items: [{ product_sku: 'ORD-1', quantity: 1, unit_price: 10 }] });
    for (const inside of ['redrive_count', 'redriven_at', 'stuck_since']) expect(Object.keys(order)).not.toContain(inside);
    expect((await orders('GET', `/orders/${aliceOrder.id}`, { customer: alice })).body).toEqual(order);
    expect((await orders('GET', byCart)).body).toEqual({ data: [order], next_cursor: null });
    expect((await orders('GET', byCart, { customer: bob })).body).toEqual({ data: [], next_cursor: null });
    expect((await orders('GET', `${byCart}&status=cancelled`)).body.data).toEqual([]);
    expect((await orders('GET', `/orders?cart_id=${crypto.randomUUID()}`)).body.data).toEqual([]);
    // the same order through the general list (filtered by customer), shown the same way
    expect((await orders('GET', `/orders?customer_id=${alice}`)).body.data).toEqual([order]);
  });

  test('another customer’s order is a 404 for reading, history, cancelling and editing', async () => {
    expect((await orders('GET', `/orders/${aliceOrder.id}`, { customer: bob })).status).toBe(404);
    expect((await orders('GET', `/orders/${aliceOrder.id}/history`, { customer: bob })).status).toBe(404);
    expect((await orders('POST', `/orders/${aliceOrder.id}/cancel`, { customer: bob })).status).toBe(404);
    expect((await orders('PUT', `/orders/${aliceOrder.id}`, { customer: bob, body: { notes: 'mine now' } })).status).toBe(404);
    expect((await orders('GET', `/orders/${aliceOrder.id}`)).status).toBe(200);
  });

  test('PUT changes notes and the shipping address only', async () => {
    const address = { name: 'Alice', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' };
    const res = await orders('PUT', `/orders/${aliceOrder.id}`, {
      customer: alice,
      body: { notes: 'leave at door', shipping_address: address },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ notes: 'leave at door', shipping_address: address, status: 'confirmed', total: 10 });
  });

  test.each([
    ['the status', { status: 'shipped' }],
    ['the total', { total: 0.01 }],
    ['the items', { items: [] }],
    ['an invalid address', { shipping_address: { line1: 'x' } }],
    ['nothing', {}],
  ])('PUT with %s is a 400 and changes nothing', async (_case, body) => {
    const before = await db()('orders.orders').where({ id: aliceOrder.id }).first();
    const res = await orders('PUT', `/orders/${aliceOrder.id}`, { customer: alice, body });
    expect(res.status).toBe(400);
    expect(await db()('orders.orders').where({ id: aliceOrder.id }).first()).toEqual(before);
  });

  test('malformed ids and filters are 400s, unknown orders 404', async () => {
    expect((await orders('GET', '/orders/not-a-uuid')).status).toBe(400);
    expect((await orders('GET', '/orders?status=lost')).status).toBe(400);
    expect((await orders('GET', '/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await orders('POST', `/orders/${aliceOrder.id}/cancel`, { customer: alice, body: { reason: 7 } })).status).toBe(400);
  });

  test('a cancelled order can no longer be edited (409)', async () => {
    await s.add(alice, 'ORD-1', 1);
    const order = await s.orderOf(alice, await s.convert(alice));
    await orders('DELETE', `/orders/${order.id}`, { customer: alice });
    expect((await orders('PUT', `/orders/${order.id}`, { customer: alice, body: { notes: 'too late' } })).status).toBe(409);
  });

  test('a cancel retried under its Idempotency-Key answers the first 200 again; the key never serves another caller', async () => {
    const carol = s.newCustomer();
    await s.add(carol, 'ORD-1', 1);
    const order = await s.orderOf(carol, await s.convert(carol));
    const retry = { customer: carol, body: { reason: 'wrong size' }, headers: { 'idempotency-key': 'cancel-once' } };
    const first = await orders('POST', `/orders/${order.id}/cancel`, retry);
    const again = await orders('POST', `/orders/${order.id}/cancel`, retry);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await orders('POST', `/orders/${order.id}/cancel`, { customer: carol })).status).toBe(409);
    const reused = await orders('POST', `/orders/${order.id}/cancel`, { ...retry, body: { reason: 'other' } });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect((await orders('POST', `/orders/${order.id}/cancel`, { ...retry, customer: bob })).status).toBe(404);
    const cancels = await db()('orders.status_history').where({ order_id: order.id, to_status: 'cancelled' });
    expect(cancels).toHaveLength(1);
  });
});
