import { db } from '../../shared/db';
import { captureTopic, eventually, startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

let system: TestSystem;
let customers: HttpClient;

beforeAll(async () => {
  system = await startSystem(['customers']);
  customers = system.http('customers');
});
afterAll(() => system.stop());

const count = async () => Number((await db()('customers.customers').count<{ n: string }[]>('* as n'))[0].n);

describe('customers API', () => {
  test('GET / reports healthy checks', async () => {
    expect((await customers('GET', '/')).body).toMatchObject({ status: 'ok', service: 'customers' });
  });

  test('sign-up creates a customer and publishes customer.created for other services’ projections', async () => {
    const capture = await captureTopic('customer.created');
    const res = await customers('POST', '/customers', { body: { name: 'Ada Lovelace', email: 'Ada@Example.com' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), name: 'Ada Lovelace', email: 'ada@example.com' });
    const message = await eventually(async () => capture.messages.find((m) => m.data.customer_id === res.body.id));
    expect(message.data).toEqual({ customer_id: res.body.id, name: 'Ada Lovelace', email: 'ada@example.com', version: 1 });
    expect(message.attributes.event_id).toMatch(/^[0-9a-f-]{36}$/);
    await capture.close();
  });

  test('a duplicate email (any case) is a 409, also for concurrent sign-ups', async () => {
    const before = await count();
    const results = await Promise.all(
      ['grace@example.com', 'GRACE@example.com', 'grace@EXAMPLE.com'].map((email) =>
        customers('POST', '/customers', { body: { name: 'Grace', email } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('duplicate_email');
    expect(await count()).toBe(before + 1);
  });

  test('a customer reads and changes only itself; anyone else is a 404', async () => {
    const me = (await customers('POST', '/customers', { body: { name: 'Me', email: 'me@example.com' } })).body.id;
    const other = (await customers('POST', '/customers', { body: { name: 'Other', email: 'other@example.com' } })).body.id;
    expect((await customers('GET', `/customers/${me}`, { customer: me })).status).toBe(200);
    expect((await customers('GET', `/customers/${other}`, { customer: me })).status).toBe(404);
    expect((await customers('PUT', `/customers/${other}`, { customer: me, body: { name: 'Hacked' } })).status).toBe(404);
    expect((await customers('DELETE', `/customers/${other}`, { customer: me })).status).toBe(404);
    const renamed = await customers('PUT', `/customers/${me}`, { customer: me, body: { name: 'Me Renamed' } });
    expect(renamed.body).toMatchObject({ id: me, name: 'Me Renamed' });
  });

  test('only an admin lists customers, page by page', async () => {
    expect((await customers('GET', '/customers', { customer: '550e8400-e29b-41d4-a716-446655440000' })).status).toBe(403);
    const page = await customers('GET', '/customers?limit=1');
    expect(page.body.data).toHaveLength(1);
    const next = await customers('GET', `/customers?limit=1&cursor=${page.body.next_cursor}`);
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
  });

  test('delete publishes customer.deleted and the customer is gone; its email can sign up again', async () => {
    const id = (await customers('POST', '/customers', { body: { name: 'Temp', email: 'temp@example.com' } })).body.id;
    const capture = await captureTopic('customer.deleted');
    expect((await customers('DELETE', `/customers/${id}`)).status).toBe(204);
    expect((await customers('GET', `/customers/${id}`)).status).toBe(404);
    expect((await eventually(async () => capture.messages.find((m) => m.data.customer_id === id))).data.version).toBe(2);
    expect((await customers('POST', '/customers', { body: { name: 'Temp 2', email: 'temp@example.com' } })).status).toBe(201);
    await capture.close();
  });

  test.each([
    ['an invalid email', { name: 'X', email: 'not-an-email' }],
    ['an empty name', { name: '  ', email: 'x@example.com' }],
    ['an unknown field', { name: 'X', email: 'x@example.com', admin: true }],
    ['a number name', { name: 42, email: 'x@example.com' }],
  ])('%s is a 400 and writes nothing', async (_case, body) => {
    const before = await count();
    const res = await customers('POST', '/customers', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(await count()).toBe(before);
  });

  test('a malformed id is a 400; an unknown one a 404', async () => {
    expect((await customers('GET', '/customers/123')).status).toBe(400);
    expect((await customers('GET', '/customers/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  test('a crafted cursor whose values do not fit the keys is a 400, not a 500', async () => {
    for (const values of [
      ['not-a-date', 'x'],
      [1, 2],
    ]) {
      const cursor = Buffer.from(JSON.stringify(values)).toString('base64url');
      const res = await customers('GET', `/customers?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_cursor');
    }
  });
});
