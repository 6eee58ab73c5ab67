import { db } from '../../shared/db';
import { startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

let system: TestSystem;
let inventory: HttpClient;
const CUSTOMER = '550e8400-e29b-41d4-a716-446655440000';

beforeAll(async () => {
  system = await startSystem(['inventory']);
  inventory = system.http('inventory');
});
afterAll(() => system.stop());

const snapshot = () => db()('inventory.stock').orderBy('product_sku').select('product_sku', 'available', 'reserved');

describe('inventory API', () => {
  test('create, read (available and reserved), list, update and delete stock', async () => {
    const created = await inventory('POST', '/inventory', { body: { product_sku: 'INV-1', quantity: 10 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ product_sku: 'INV-1', quantity: 10, reserved: 0 });
    expect((await inventory('PUT', '/inventory/INV-1', { body: { quantity: 4 } })).body).toMatchObject({
      quantity: 4,
      reserved: 0,
    });
    expect((await inventory('GET', '/inventory/INV-1')).body.quantity).toBe(4);
    expect((await inventory('GET', '/inventory')).body.data.map((s: { product_sku: string }) => s.product_sku)).toContain(
      'INV-1',
    );
    expect((await inventory('DELETE', '/inventory/INV-1')).status).toBe(204);
    expect((await inventory('GET', '/inventory/INV-1')).status).toBe(404);
  });

  test('a duplicate SKU is a 409; stock with reserved units cannot be deleted (409)', async () => {
    await inventory('POST', '/inventory', { body: { product_sku: 'INV-2', quantity: 1 } });
    expect((await inventory('POST', '/inventory', { body: { product_sku: 'INV-2', quantity: 5 } })).status).toBe(409);
    await db()('inventory.stock').where({ product_sku: 'INV-2' }).update({ reserved: 1 });
    expect((await inventory('DELETE', '/inventory/INV-2')).body.error.code).toBe('stock_reserved');
  });

  test.each([
    ['a negative quantity', { product_sku: 'BAD', quantity: -1 }],
    ['a fractional quantity', { product_sku: 'BAD', quantity: 1.5 }],
    ['a missing SKU', { quantity: 1 }],
    ['an unknown field', { product_sku: 'BAD', quantity: 1, reserved: 5 }],
  ])('%s is a 400 and writes nothing', async (_case, body) => {
    const before = await snapshot();
    const res = await inventory('POST', '/inventory', { body });
    expect(res.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test('PUT cannot touch reserved units', async () => {
    await inventory('POST', '/inventory', { body: { product_sku: 'INV-3', quantity: 1 } });
    expect((await inventory('PUT', '/inventory/INV-3', { body: { quantity: 2, reserved: 0 } })).status).toBe(400);
  });

  test('customers may read stock but not change it', async () => {
    expect((await inventory('GET', '/inventory', { customer: CUSTOMER })).status).toBe(200);
    expect((await inventory('POST', '/inventory', { customer: CUSTOMER, body: { product_sku: 'X', quantity: 1 } })).status).toBe(
      403,
    );
    expect((await inventory('PUT', '/inventory/INV-3', { customer: CUSTOMER, body: { quantity: 100 } })).status).toBe(403);
  });
});
