import { db } from '../../shared/db';
import { eventually, startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';
import { publishEvent } from '../../test/support/notification-fixtures';

/** Cart API against a product projection fed by real product.* events. */
let system: TestSystem;
let cart: HttpClient;
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

beforeAll(async () => {
  system = await startSystem(['products', 'cart', 'messaging']);
  cart = system.http('cart');
  for (const [sku, price] of [
    ['PEN', 1.5],
    ['BOOK', 20],
    ['GONE', 3],
  ] as const) {
    await system.http('products')('POST', '/products', { body: { sku, name: sku, price } });
  }
  await eventually(async () => (await db()('cart.products').count<{ n: string }[]>('* as n'))[0].n === '3');
});
afterAll(() => system.stop());

const rows = async () => ({
  carts: await db()('cart.carts').select('id', 'status', 'cart_locked'),
  items: await db()('cart.items').select('cart_id', 'product_sku', 'quantity'),
  outbox: (await db()('messaging.outbox').where({ topic: 'order-requested' })).length,
});

describe('cart API', () => {
  test('GET /cart without a cart answers an empty cart', async () => {
    expect((await cart('GET', '/cart', { customer: BOB })).body).toEqual({ cart: null, items: [] });
  });

  test('the first item opens a cart with the price snapshot; the same SKU again adds up', async () => {
    const first = await cart('POST', '/cart/items', { customer: ALICE, body: { product_sku: 'PEN', quantity: 2 } });
    expect(first.status).toBe(200);
    expect(first.body.cart).toMatchObject({ customer_id: ALICE, status: 'active', cart_locked: false });
    const again = await cart('POST', '/cart/items', { customer: ALICE, body: { product_sku: 'PEN', quantity: 3 } });
    expect(again.body.cart.id).toBe(first.body.cart.id);
    expect(again.body.items).toEqual([{ product_sku: 'PEN', quantity: 5, unit_price: 1.5 }]);
  });

  test('the price snapshot follows product.updated events through the projection', async () => {
    await system.http('products')('PUT', '/products/BOOK', { body: { price: 22.5 } });
    await eventually(async () => (await db()('cart.products').where({ sku: 'BOOK' }).first()).price_cents === '2250');
    const res = await cart('POST', '/cart/items', { customer: BOB, body: { product_sku: 'BOOK', quantity: 1 } });
    expect(res.body.items).toEqual([{ product_sku: 'BOOK', quantity: 1, unit_price: 22.5 }]);
  });

  test('an unknown or deleted SKU is a 400 and writes nothing', async () => {
    await system.http('products')('DELETE', '/products/GONE');
    await eventually(async () => (await db()('cart.products').where({ sku: 'GONE' }).first()).deleted === true);
    const before = await rows();
    for (const product_sku of ['NOPE', 'GONE']) {
      const res = await cart('POST', '/cart/items', { customer: ALICE, body: { product_sku, quantity: 1 } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unknown_product');
    }
    expect(await rows()).toEqual(before);
  });

  test.each([
    ['no customer identity', {}, { product_sku: 'PEN', quantity: 1 }, 401],
    ['an invalid customer id', { customer: 'bob' }, { product_sku: 'PEN', quantity: 1 }, 400],
    ['a zero quantity', { customer: ALICE }, { product_sku: 'PEN', quantity: 0 }, 400],
    ['a fractional quantity', { customer: ALICE }, { product_sku: 'PEN', quantity: 1.5 }, 400],
    ['a string quantity', { customer: ALICE }, { product_sku: 'PEN', quantity: '2' }, 400],
    ['an unknown field', { customer: ALICE }, { product_sku: 'PEN', quantity: 1, price: 0.01 }, 400],
  ])('adding with %s is rejected and writes nothing', async (_case, who, body, status) => {
    const before = await rows();
    const res = await cart('POST', '/cart/items', { ...who, body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toEqual(expect.any(String));
    expect(await rows()).toEqual(before);
  });

  test('removing an item; removing one that is not there is a 404', async () => {
    const customer = '33333333-3333-4333-8333-333333333333';
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'BOOK', quantity: 1 } });
    const res = await cart('DELETE', '/cart/items/PEN', { customer });
    expect(res.body.items.map((i: { product_sku: string }) => i.product_sku)).toEqual(['BOOK']);
    expect((await cart('DELETE', '/cart/items/PEN', { customer })).status).toBe(404);
  });

  test('converting locks the cart and emits order-requested; a locked cart is 409 for every change', async () => {
    const customer = '44444444-4444-4444-8444-444444444444';
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 2 } });
    const res = await cart('POST', '/cart/convert-to-order', { customer });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ cart_id: expect.any(String), status: 'processing' });
    const view = (await cart('GET', '/cart', { customer })).body;
    expect(view.cart).toMatchObject({ status: 'processing', cart_locked: true });

    const [event] = await db()('messaging.outbox')
      .where({ topic: 'order-requested' })
      .whereRaw(`data->>'cart_id' = ?`, [res.body.cart_id]);
    expect(event.data).toEqual({
      cart_id: res.body.cart_id,
      customer_id: customer,
      items: [{ product_sku: 'PEN', quantity: 2, unit_price: 1.5 }],
    });
    expect(event.attributes.correlation_id).toBe(res.body.cart_id);

    expect((await cart('POST', '/cart/convert-to-order', { customer })).status).toBe(409);
    expect((await cart('POST', '/cart/items', { customer, body: { product_sku: 'BOOK', quantity: 1 } })).body.error.code).toBe(
      'cart_locked',
    );
    expect((await cart('DELETE', '/cart/items/PEN', { customer })).status).toBe(409);
  });

  test('converting an empty or missing cart is a 400', async () => {
    const customer = '55555555-5555-4555-8555-555555555555';
    expect((await cart('POST', '/cart/convert-to-order', { customer })).body.error.code).toBe('cart_empty');
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
    await cart('DELETE', '/cart/items/PEN', { customer });
    expect((await cart('POST', '/cart/convert-to-order', { customer })).status).toBe(400);
  });

  test('with an Idempotency-Key, retries (also concurrent) return the first answer and emit one event', async () => {
    const customer = '66666666-6666-4666-8666-666666666666';
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'BOOK', quantity: 1 } });
    const headers = { 'idempotency-key': 'checkout-1' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => cart('POST', '/cart/convert-to-order', { customer, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    const cartId = answers[0].body.cart_id;
    expect(
      await db()('messaging.outbox').where({ topic: 'order-requested' }).whereRaw(`data->>'cart_id' = ?`, [cartId]),
    ).toHaveLength(1);
    expect(
      (await cart('POST', '/cart/convert-to-order', { customer, headers: { 'idempotency-key': 'checkout-2' } })).status,
    ).toBe(409);
  });

  test('one customer never sees another customer’s cart', async () => {
    const alice = (await cart('GET', '/cart', { customer: ALICE })).body.cart.id;
    const bob = (await cart('GET', '/cart', { customer: BOB })).body.cart.id;
    expect(alice).not.toBe(bob);
  });

  test('concurrent first items of one customer open exactly one cart', async () => {
    const customer = '77777777-7777-4777-8777-777777777777';
    await Promise.all(
      Array.from({ length: 8 }, () => cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } })),
    );
    expect(await db()('cart.carts').where({ customer_id: customer })).toHaveLength(1);
    expect((await cart('GET', '/cart', { customer })).body.items).toEqual([{ product_sku: 'PEN', quantity: 8, unit_price: 1.5 }]);
  });

  test('a cart whose total would exceed the largest order amount is refused when adding, and nothing changes', async () => {
    const customer = '88888888-8888-4888-8888-888888888888';
    await system.http('products')('POST', '/products', { body: { sku: 'YACHT', name: 'Yacht', price: 60_000_000 } });
    await eventually(() => db()('cart.products').where({ sku: 'YACHT' }).first());
    expect((await cart('POST', '/cart/items', { customer, body: { product_sku: 'YACHT', quantity: 1 } })).status).toBe(200);
    const res = await cart('POST', '/cart/items', { customer, body: { product_sku: 'YACHT', quantity: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('cart_total_limit');
    expect((await cart('GET', '/cart', { customer })).body.items).toEqual([
      { product_sku: 'YACHT', quantity: 1, unit_price: 60_000_000 },
    ]);
  });

  test('converting a cart holding a product deleted since it was added is a 400 naming it; the cart stays editable', async () => {
    const customer = '99999999-9999-4999-8999-999999999999';
    await system.http('products')('POST', '/products', { body: { sku: 'FADING', name: 'Fading', price: 2 } });
    await eventually(() => db()('cart.products').where({ sku: 'FADING', deleted: false }).first());
    await cart('POST', '/cart/items', { customer, body: { product_sku: 'FADING', quantity: 1 } });
    await system.http('products')('DELETE', '/products/FADING');
    await eventually(() => db()('cart.products').where({ sku: 'FADING', deleted: true }).first());
    const res = await cart('POST', '/cart/convert-to-order', { customer });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unavailable_products', details: ['FADING'] });
    expect((await cart('GET', '/cart', { customer })).body.cart).toMatchObject({ status: 'active', cart_locked: false });
  });

  describe('setting a quantity and emptying the cart', () => {
    const lines = async (customer: string) => (await cart('GET', '/cart', { customer })).body.items;

    test('PUT sets a line’s quantity (not adding), adds a new line at the current price, and 0 removes it', async () => {
      const customer = 'a0000000-0000-4000-8000-000000000001';
      await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 5 } });
      const set = await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 2 } });
      expect(set.status).toBe(200);
      expect(set.body.items).toEqual([{ product_sku: 'PEN', quantity: 2, unit_price: 1.5 }]);
      const added = await cart('PUT', '/cart/items/BOOK', { customer, body: { quantity: 1 } });
      expect(added.body.items).toEqual([
        { product_sku: 'PEN', quantity: 2, unit_price: 1.5 },
        { product_sku: 'BOOK', quantity: 1, unit_price: 22.5 },
      ]);
      const removed = await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 0 } });
      expect(removed.body.items).toEqual([{ product_sku: 'BOOK', quantity: 1, unit_price: 22.5 }]);
      expect((await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 0 } })).status).toBe(404);
    });

    test.each([
      ['a negative quantity', { quantity: -1 }],
      ['a fractional quantity', { quantity: 1.5 }],
      ['a quantity above the per-product limit', { quantity: 10_001 }],
      ['a string quantity', { quantity: '2' }],
      ['no quantity', {}],
      ['an unknown field', { quantity: 1, unit_price: 0.01 }],
    ])('PUT with %s is a 400 and changes nothing', async (_case, body) => {
      const customer = 'a0000000-0000-4000-8000-000000000002';
      await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
      const before = await rows();
      const res = await cart('PUT', '/cart/items/PEN', { customer, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(await rows()).toEqual(before);
    });

    test('PUT of a product the catalog does not sell is a 400; PUT and DELETE /cart without a cart are 404s', async () => {
      const customer = 'a0000000-0000-4000-8000-000000000003';
      const before = await rows();
      expect((await cart('PUT', '/cart/items/NOPE', { customer, body: { quantity: 1 } })).body.error.code).toBe(
        'unknown_product',
      );
      expect((await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 0 } })).status).toBe(404);
      expect((await cart('DELETE', '/cart', { customer })).status).toBe(404);
      expect(await rows()).toEqual(before);
    });

    test('DELETE /cart empties the open cart, which stays open', async () => {
      const customer = 'a0000000-0000-4000-8000-000000000004';
      const opened = await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 1 } });
      await cart('POST', '/cart/items', { customer, body: { product_sku: 'BOOK', quantity: 2 } });
      const res = await cart('DELETE', '/cart', { customer });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ cart: { id: opened.body.cart.id, status: 'active' }, items: [] });
      expect(await lines(customer)).toEqual([]);
    });

    test('both are refused with 409 while the cart is locked, and change nothing', async () => {
      const customer = 'a0000000-0000-4000-8000-000000000005';
      await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 3 } });
      expect((await cart('POST', '/cart/convert-to-order', { customer })).status).toBe(202);
      const put = await cart('PUT', '/cart/items/PEN', { customer, body: { quantity: 1 } });
      const empty = await cart('DELETE', '/cart', { customer });
      expect([put.status, put.body.error.code, empty.status, empty.body.error.code]).toEqual([
        409,
        'cart_locked',
        409,
        'cart_locked',
      ]);
      expect(await lines(customer)).toEqual([{ product_sku: 'PEN', quantity: 3, unit_price: 1.5 }]);
    });

    test.each([
      ['PUT', '/cart/items/PEN', { quantity: 1 }],
      ['DELETE', '/cart', undefined],
    ])('%s %s makes a rejected (stock-unavailable) cart active again', async (method, path, body) => {
      const customer = method === 'PUT' ? 'a0000000-0000-4000-8000-000000000006' : 'a0000000-0000-4000-8000-000000000007';
      await cart('POST', '/cart/items', { customer, body: { product_sku: 'PEN', quantity: 3 } });
      const { cart_id } = (await cart('POST', '/cart/convert-to-order', { customer })).body;
      await publishEvent('stock.rejected', {
        cart_id,
        customer_id: customer,
        reason: 'insufficient_stock',
        details: [{ product_sku: 'PEN', requested: 3, available: 1 }],
      });
      await eventually(async () => (await cart('GET', '/cart', { customer })).body.cart.status === 'stock-unavailable');
      const res = await cart(method, path, { customer, body });
      expect(res.status).toBe(200);
      expect(res.body.cart).toMatchObject({ id: cart_id, status: 'active', cart_locked: false, rejection: null });
    });
  });
});
