import { db } from '../../shared/db';
import { startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

/** Issue 10.9: customers see what is available; reserved and sold figures are an admin's. */
let system: TestSystem;
let inventory: HttpClient;
const CUSTOMER = '550e8400-e29b-41d4-a716-446655440000';

beforeAll(async () => {
  system = await startSystem(['inventory']);
  inventory = system.http('inventory');
  expect((await inventory('POST', '/inventory', { body: { product_sku: 'VIS-1', quantity: 10 } })).status).toBe(201);
  await db()('inventory.stock').where({ product_sku: 'VIS-1' }).update({ reserved: 3, sold: 7 });
});
afterAll(() => system.stop());

test('a customer reading one SKU sees its availability only', async () => {
  const res = await inventory('GET', '/inventory/VIS-1', { customer: CUSTOMER });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ product_sku: 'VIS-1', quantity: 10 });
  expect(res.body).not.toHaveProperty('reserved');
  expect(res.body).not.toHaveProperty('sold');
});

test('a customer listing stock sees availability only', async () => {
  const res = await inventory('GET', '/inventory', { customer: CUSTOMER });
  const row = res.body.data.find((s: { product_sku: string }) => s.product_sku === 'VIS-1');
  expect(row).toMatchObject({ quantity: 10 });
  expect(row).not.toHaveProperty('reserved');
  expect(row).not.toHaveProperty('sold');
});

test('an admin sees reserved and sold too', async () => {
  expect((await inventory('GET', '/inventory/VIS-1')).body).toMatchObject({ quantity: 10, reserved: 3, sold: 7 });
  const listed = (await inventory('GET', '/inventory')).body.data.find((s: { product_sku: string }) => s.product_sku === 'VIS-1');
  expect(listed).toMatchObject({ reserved: 3, sold: 7 });
});
