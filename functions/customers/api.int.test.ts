import { randomUUID } from 'node:crypto';
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

  test.each([
    ['a newline', 'Ada\nClick http://evil.example'],
    ['a carriage return', 'Ada\rBcc: victim'],
    ['a tab', 'Ada\tLovelace'],
    ['a bidi override', 'Ada \u202Egnp.exe'],
    ['a line separator', 'Ada\u2028Lovelace'],
  ])('a name with %s is a 400 on sign-up and on change, and writes nothing', async (_case, bad) => {
    const before = await count();
    expect((await customers('POST', '/customers', { body: { name: bad, email: 'ctl@example.com' } })).status).toBe(400);
    expect(await count()).toBe(before);
    const id = (await customers('POST', '/customers', { body: { name: 'Fine', email: `${randomUUID()}@example.com` } })).body.id;
    const res = await customers('PUT', `/customers/${id}`, { customer: id, body: { name: bad } });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_input']);
    expect((await customers('GET', `/customers/${id}`)).body.name).toBe('Fine');
  });

  test('a name in any script, with accents and emoji, is fine', async () => {
    const res = await customers('POST', '/customers', { body: { name: 'José Ñandú 李小龙 👩‍💻', email: 'intl@example.com' } });
    expect(res.status).toBe(201);
  });

  test('only an admin creates customers: a customer gets 403, so the 409 for a taken address reaches admins only', async () => {
    const existing = await customers('POST', '/customers', { body: { name: 'Taken', email: 'taken@example.com' } });
    const before = await count();
    const asCustomer = await customers('POST', '/customers', {
      customer: existing.body.id,
      body: { name: 'Probe', email: 'taken@example.com' },
    });
    expect([asCustomer.status, asCustomer.body.error.code]).toEqual([403, 'forbidden']);
    expect(await count()).toBe(before);
  });
});

describe('changing the email address', () => {
  const outboxOf = (topic: string, id: string) =>
    db()('messaging.outbox').where({ topic }).whereRaw(`data->>'customer_id' = ?`, [id]).orderBy('created_at');
  const signUp = async () =>
    (await customers('POST', '/customers', { body: { name: 'Mover', email: `${randomUUID()}@example.com` } })).body;

  test('a new address is pending until its code comes back; the old one stays in use and nothing says it changed', async () => {
    const me = await signUp();
    const res = await customers('PUT', `/customers/${me.id}`, { customer: me.id, body: { email: 'New@Example.com' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: me.id, email: me.email, pending_email: 'new@example.com' });
    expect((await customers('GET', `/customers/${me.id}`, { customer: me.id })).body).toMatchObject({
      email: me.email,
      pending_email: 'new@example.com',
    });
    const [request] = await outboxOf('customer.email_verification_requested', me.id);
    expect(request.data).toMatchObject({ customer_id: me.id, email: 'new@example.com', token: expect.any(String) });
    expect(await outboxOf('customer.updated', me.id)).toHaveLength(0);
    expect(await db()('customers.email_verifications').where({ customer_id: me.id }).first()).not.toHaveProperty('token');
  });

  test('a wrong code is a 400 that changes nothing; the right one makes the address the customer’s and says so once', async () => {
    const me = await signUp();
    await customers('PUT', `/customers/${me.id}`, { customer: me.id, body: { email: 'verified@example.com' } });
    const [{ data }] = await outboxOf('customer.email_verification_requested', me.id);

    const wrong = await customers('POST', `/customers/${me.id}/verify-email`, {
      customer: me.id,
      body: { token: 'x'.repeat(43) },
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'invalid_token']);
    expect((await customers('GET', `/customers/${me.id}`)).body.email).toBe(me.email);

    const other = await signUp();
    const foreign = await customers('POST', `/customers/${me.id}/verify-email`, {
      customer: other.id,
      body: { token: data.token },
    });
    expect(foreign.status).toBe(404);

    const ok = await customers('POST', `/customers/${me.id}/verify-email`, { customer: me.id, body: { token: data.token } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ email: 'verified@example.com', pending_email: null });
    const updates = await outboxOf('customer.updated', me.id);
    expect(updates.map((u) => u.data.email)).toEqual(['verified@example.com']);
    const again = await customers('POST', `/customers/${me.id}/verify-email`, { customer: me.id, body: { token: data.token } });
    expect(again.status).toBe(400);
  });

  test('asking for an address someone else has is not refused up front (no leak); its verification is the 409', async () => {
    const owner = await signUp();
    const me = await signUp();
    const res = await customers('PUT', `/customers/${me.id}`, { customer: me.id, body: { email: owner.email } });
    expect([res.status, res.body.pending_email]).toEqual([200, owner.email]);
    const [{ data }] = await outboxOf('customer.email_verification_requested', me.id);
    const verify = await customers('POST', `/customers/${me.id}/verify-email`, { customer: me.id, body: { token: data.token } });
    expect([verify.status, verify.body.error.code]).toEqual([409, 'duplicate_email']);
    expect((await customers('GET', `/customers/${me.id}`)).body.email).toBe(me.email);
  });

  test('an admin asking for a taken address is told at once (admins may list every customer anyway)', async () => {
    const owner = await signUp();
    const me = await signUp();
    const res = await customers('PUT', `/customers/${me.id}`, { body: { email: owner.email } });
    expect([res.status, res.body.error.code]).toEqual([409, 'duplicate_email']);
    expect(await outboxOf('customer.email_verification_requested', me.id)).toHaveLength(0);
  });

  test('email changes are rate limited per customer and per target address (429 + Retry-After), mailing nothing more', async () => {
    const me = await signUp();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const res = await customers('PUT', `/customers/${me.id}`, {
        customer: me.id,
        body: { email: `try${i}-${me.id}@example.com` },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(60);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await outboxOf('customer.email_verification_requested', me.id)).toHaveLength(5);

    const victim = `victim-${randomUUID()}@example.com`;
    const askers = await Promise.all([signUp(), signUp(), signUp(), signUp()]);
    const answers = [];
    for (const asker of askers) {
      answers.push((await customers('PUT', `/customers/${asker.id}`, { customer: asker.id, body: { email: victim } })).status);
    }
    expect(answers).toEqual([200, 200, 200, 429]);
    // a name change is not an email change: not limited
    expect((await customers('PUT', `/customers/${me.id}`, { customer: me.id, body: { name: 'Still Me' } })).status).toBe(200);
  });
});
