import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import { eventually, startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';
import { publishEvent } from '../../test/support/notification-fixtures';

/** Hoarding and abuse limits of the cart, and events about a cart that name someone else. */
let system: TestSystem;
let cart: HttpClient;

beforeAll(async () => {
  Object.assign(process.env, {
    CART_MAX_UNITS_PER_ORDER: '20',
    CART_MAX_OPEN_ORDERS: '2',
    CART_WRITES_PER_MINUTE: '12',
    CART_CONVERTS_PER_MINUTE: '4',
  });
  system = await startSystem(['products', 'cart']);
  cart = system.http('cart');
  await system.http('products')('POST', '/products', { body: { sku: 'PEN', name: 'Pen', price: 1.5 } });
  await eventually(() => db()('cart.products').where({ sku: 'PEN' }).first());
});
afterAll(() => system.stop());

const outboxCount = async () => Number((await db()('messaging.outbox').count<{ n: string }[]>('* as n'))[0].n);
const cartOf = async (customer: string) => (await cart('GET', '/cart', { customer })).body;

/** A processing cart of a new customer (converted), and its id. */
async function convertedCart(customer = randomUUID()) {
  expect((await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } })).status).toBe(200);
  const res = await cart('POST', '/cart/convert-to-order', { customer });
  expect(res.status).toBe(202);
  return { customer, cartId: res.body.cart_id as string };
}

const orderCreated = (cartId: string, customerId: string, orderId = randomUUID()) =>
  publishEvent('order.created', {
    order_id: orderId,
    cart_id: cartId,
    customer_id: customerId,
    items: [{ product_sku: 'PEN', quantity: 1, unit_price: 1.5 }],
    total: 1.5,
    status: 'confirmed',
  });

describe('cart abuse limits', () => {
  test('more units in one cart than an order may hold is refused (400) and the cart keeps what it had', async () => {
    const customer = randomUUID();
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 20 } });
    const more = await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
    const set = await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 21 } });
    expect([more.status, more.body.error.code, set.status, set.body.error.code]).toEqual([
      400,
      'too_many_units',
      400,
      'too_many_units',
    ]);
    expect((await cartOf(customer)).items).toEqual([{ product_sku: 'PEN', quantity: 20, unit_price: 1.5 }]);
  });

  test('a body on convert-to-order is a 400 that locks nothing and emits nothing', async () => {
    const customer = randomUUID();
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
    const before = await outboxCount();
    for (const body of [{ total: 0.01, customer_id: randomUUID() }, [], 'x', 1]) {
      const res = await cart('POST', '/cart/convert-to-order', { customer, body });
      expect(res.status).toBe(400);
    }
    expect((await cartOf(customer)).cart).toMatchObject({ status: 'active', cart_locked: false });
    expect(await outboxCount()).toBe(before);
    expect((await cart('POST', '/cart/convert-to-order', { customer, body: {} })).status).toBe(202);
  });

  test('a customer with the maximum of unpaid orders cannot order again until one is paid or cancelled', async () => {
    const customer = randomUUID();
    const orders: { cartId: string; orderId: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const { cartId } = await convertedCart(customer);
      const orderId = randomUUID();
      await orderCreated(cartId, customer, orderId);
      await eventually(async () => (await db()('cart.carts').where({ id: cartId }).first()).status === 'ordered');
      orders.push({ cartId, orderId });
    }
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
    const before = await outboxCount();
    const refused = await cart('POST', '/cart/convert-to-order', { customer });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'open_orders_limit']);
    expect((await cartOf(customer)).cart).toMatchObject({ status: 'active', cart_locked: false });
    expect(await outboxCount()).toBe(before);

    const [first, second] = orders;
    await publishEvent('payment.succeeded', {
      payment_id: randomUUID(),
      order_id: first.orderId,
      cart_id: first.cartId,
      customer_id: customer,
      amount: 1.5,
      provider_ref: 'ch_1',
    });
    await eventually(async () => (await db()('cart.carts').where({ id: first.cartId }).first()).order_settled);
    expect((await cart('POST', '/cart/convert-to-order', { customer })).status).toBe(202);

    await publishEvent('order.cancelled', {
      order_id: second.orderId,
      cart_id: second.cartId,
      customer_id: customer,
      items: [{ product_sku: 'PEN', quantity: 1, unit_price: 1.5 }],
      reason: 'changed my mind',
      cause: 'requested',
      previous_status: 'confirmed',
    });
    await eventually(async () => (await db()('cart.carts').where({ id: second.cartId }).first()).order_settled);
  });

  test('cart writes past the per-customer rate are 429 with Retry-After, change nothing, and spare other customers', async () => {
    const customer = randomUUID();
    const answers = [];
    for (let i = 0; i < 13; i++) {
      answers.push(await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } }));
    }
    expect(answers.slice(0, 12).every((a) => a.status === 200)).toBe(true);
    const limited = answers[12];
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await cart('DELETE', '/cart', { customer })).status).toBe(429);
    expect((await cartOf(customer)).items).toEqual([{ product_sku: 'PEN', quantity: 12, unit_price: 1.5 }]);
    expect(
      (await cart('POST', '/cart/items', { customer: randomUUID(), body: { product_sku: 'PEN', quantity: 1 } })).status,
    ).toBe(200);
  });

  test('conversion attempts past the per-customer rate are 429 with Retry-After', async () => {
    const customer = randomUUID();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await cart('POST', '/cart/convert-to-order', { customer })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
  });
});

describe('events about a cart are checked against its owner', () => {
  test('an order.created naming another customer does not close the cart; it is dead-lettered with the reason', async () => {
    const { customer, cartId } = await convertedCart();
    const { eventId } = await orderCreated(cartId, randomUUID());
    const letter = await eventually(() => db()('messaging.dead_letters').where({ event_id: eventId }).first());
    expect(letter).toMatchObject({ consumer: 'cart-on-order-created', reason: 'permanent' });
    expect(letter.error).toMatch(/does not belong/);
    expect((await cartOf(customer)).cart).toMatchObject({ id: cartId, status: 'processing' });
  });

  test('a stock.rejected naming another customer does not unlock the cart', async () => {
    const { customer, cartId } = await convertedCart();
    const { eventId } = await publishEvent('stock.rejected', {
      cart_id: cartId,
      customer_id: randomUUID(),
      reason: 'insufficient_stock',
      details: [{ product_sku: 'PEN', requested: 1, available: 0 }],
    });
    await eventually(() => db()('messaging.dead_letters').where({ event_id: eventId }).first());
    expect((await cartOf(customer)).cart).toMatchObject({ status: 'processing', cart_locked: true });
  });

  test('a payment.succeeded naming another customer does not settle the cart’s order', async () => {
    const { customer, cartId } = await convertedCart();
    await orderCreated(cartId, customer);
    await eventually(async () => (await db()('cart.carts').where({ id: cartId }).first()).status === 'ordered');
    const { eventId } = await publishEvent('payment.succeeded', {
      payment_id: randomUUID(),
      order_id: randomUUID(),
      cart_id: cartId,
      customer_id: randomUUID(),
      amount: 1.5,
      provider_ref: 'ch_forged',
    });
    await eventually(() => db()('messaging.dead_letters').where({ event_id: eventId }).first());
    expect((await db()('cart.carts').where({ id: cartId }).first()).order_settled).toBe(false);
  });
});
