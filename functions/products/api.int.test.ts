import { db } from '../../shared/db';
import { captureTopic, eventually, startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

const CUSTOMER = '550e8400-e29b-41d4-a716-446655440000';
let system: TestSystem;
let http: HttpClient;

beforeAll(async () => {
  system = await startSystem(['products']);
  http = system.http('products');
});
afterAll(() => system.stop());

const countRows = async () => {
  const [{ products }] = await db()('catalog.products').count<{ products: string }[]>('* as products');
  const [{ outbox }] = await db()('messaging.outbox').count<{ outbox: string }[]>('* as outbox');
  return { products: Number(products), outbox: Number(outbox) };
};

describe('products API', () => {
  test('GET / reports the service, its database and Pub/Sub as healthy', async () => {
    const res = await http('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', service: 'products', checks: { database: 'ok', pubsub: 'ok' } });
  });

  test('creating a product stores it and publishes product.created with an event_id', async () => {
    const capture = await captureTopic('product.created');
    const res = await http('POST', '/products', { body: { sku: 'SKU-CREATE', name: 'Desk', description: 'Oak', price: 199.9 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ sku: 'SKU-CREATE', name: 'Desk', description: 'Oak', price: 199.9 });
    expect((await http('GET', '/products/SKU-CREATE')).body).toMatchObject({ sku: 'SKU-CREATE', price: 199.9 });

    const message = await eventually(async () => capture.messages.find((m) => m.data.sku === 'SKU-CREATE'));
    expect(message.attributes).toMatchObject({ event_type: 'product.created', event_version: '1', correlation_id: 'SKU-CREATE' });
    expect(message.attributes.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.data).toEqual({ sku: 'SKU-CREATE', name: 'Desk', description: 'Oak', price: 199.9, version: 1 });
    // marked published right after the publish (shared/messaging/relay.ts)
    await eventually(
      async () => (await db()('messaging.outbox').where({ id: message.attributes.event_id }).first()).published_at,
    );
    await capture.close();
  });

  test('a price is kept exactly, in cents', async () => {
    await http('POST', '/products', { body: { sku: 'SKU-CENTS', name: 'Pen', price: '0.10' } });
    const row = await db()('catalog.products').where({ sku: 'SKU-CENTS' }).first();
    expect(row.price_cents).toBe('10');
    expect((await http('GET', '/products/SKU-CENTS')).body.price).toBe(0.1);
  });

  test('a duplicate SKU is a 409 and changes nothing', async () => {
    await http('POST', '/products', { body: { sku: 'SKU-DUP', name: 'A', price: 1 } });
    const before = await countRows();
    const res = await http('POST', '/products', { body: { sku: 'SKU-DUP', name: 'B', price: 2 } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('duplicate_sku');
    expect(await countRows()).toEqual(before);
  });

  test('update changes only the given fields and publishes product.updated with a higher version', async () => {
    await http('POST', '/products', { body: { sku: 'SKU-UPD', name: 'Lamp', price: 20 } });
    const capture = await captureTopic('product.updated');
    const res = await http('PUT', '/products/SKU-UPD', { body: { price: 25.5 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sku: 'SKU-UPD', name: 'Lamp', price: 25.5 });
    const message = await eventually(async () => capture.messages.find((m) => m.data.sku === 'SKU-UPD'));
    expect(message.data.version).toBe(2);
    await capture.close();
  });

  test('delete removes the product (404 afterwards) and the SKU can be created again with a newer version', async () => {
    await http('POST', '/products', { body: { sku: 'SKU-DEL', name: 'Chair', price: 50 } });
    expect((await http('DELETE', '/products/SKU-DEL')).status).toBe(204);
    expect((await http('GET', '/products/SKU-DEL')).status).toBe(404);
    expect((await http('DELETE', '/products/SKU-DEL')).status).toBe(404);
    expect((await http('POST', '/products', { body: { sku: 'SKU-DEL', name: 'Chair 2', price: 55 } })).status).toBe(201);
    const row = await db()('catalog.products').where({ sku: 'SKU-DEL' }).first();
    expect(row.version).toBe(3);
  });

  test('the list pages with limit and an opaque cursor', async () => {
    for (const sku of ['PAGE-A', 'PAGE-B', 'PAGE-C']) await http('POST', '/products', { body: { sku, name: sku, price: 1 } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: { sku: string }[]; next_cursor: string | null } } = await http(
        'GET',
        `/products?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((p) => p.sku));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.filter((s) => s.startsWith('PAGE-'))).toEqual(['PAGE-A', 'PAGE-B', 'PAGE-C']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('a customer cannot write the catalog (403) but can read it', async () => {
    const res = await http('POST', '/products', { customer: CUSTOMER, body: { sku: 'SKU-NO', name: 'x', price: 1 } });
    expect(res.status).toBe(403);
    expect((await http('GET', '/products', { customer: CUSTOMER })).status).toBe(200);
  });

  test.each([
    ['a wrong type', { sku: 'BAD-1', name: 'x', price: 'cheap' }],
    ['an unknown field', { sku: 'BAD-2', name: 'x', price: 1, colour: 'red' }],
    ['three decimals', { sku: 'BAD-3', name: 'x', price: 1.001 }],
    ['a zero price', { sku: 'BAD-4', name: 'x', price: 0 }],
    ['a negative price', { sku: 'BAD-5', name: 'x', price: -5 }],
    ['a missing name', { sku: 'BAD-6', price: 1 }],
    ['an invalid SKU', { sku: 'no spaces allowed', name: 'x', price: 1 }],
    ['an array body', [1, 2]],
  ])('%s is a 400 with details and writes nothing', async (_case, body) => {
    const before = await countRows();
    const res = await http('POST', '/products', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(Array.isArray(res.body.error.details)).toBe(true);
    expect(await countRows()).toEqual(before);
  });

  test('malformed JSON is a 400 in the JSON error shape, without a stack trace', async () => {
    const res = await http('POST', '/products', { raw: '{"sku": "X",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
  });

  test('a non-JSON body is a 415', async () => {
    const res = await http('POST', '/products', {
      raw: 'sku=X&price=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  test('a huge body is a 413 and writes nothing', async () => {
    const before = await countRows();
    const res = await http('POST', '/products', { body: { sku: 'HUGE', name: 'x', price: 1, description: 'y'.repeat(200_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await countRows()).toEqual(before);
  });

  test('an invalid X-Customer-Id is a 400; a bad cursor or unknown query parameter is a 400', async () => {
    expect((await http('GET', '/products', { customer: 'not-a-uuid' })).status).toBe(400);
    expect((await http('GET', '/products?cursor=garbage')).body.error.code).toBe('invalid_cursor');
    expect((await http('GET', '/products?sort=price')).status).toBe(400);
    expect((await http('GET', '/products?limit=1000')).status).toBe(400);
  });

  test('unknown products and routes are 404 in the error shape', async () => {
    expect((await http('GET', '/products/NOPE')).body).toEqual({ error: { code: 'not_found', message: 'product not found' } });
    expect((await http('PUT', '/products/NOPE', { body: { name: 'x' } })).status).toBe(404);
    expect((await http('GET', '/nothing-here')).status).toBe(404);
  });

  test('a NUL character anywhere in the body is a 400 and writes nothing', async () => {
    const before = await countRows();
    const res = await http('POST', '/products', { body: { sku: 'NUL-1', name: 'a\u0000b', price: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(await countRows()).toEqual(before);
  });

  test('a malformed URL encoding is a 400, not a 500', async () => {
    const res = await http('GET', '/products/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });
});
