import { db } from '../../shared/db';
import type { SmtpSink } from '../../scripts/stack/smtp-sink';
import { eventually, settle, type HttpClient, type TestSystem } from '../../test/support/harness';
import {
  customerCreated,
  mailsTo,
  newCustomer,
  notificationsFor,
  orderCreatedPayload,
  publishEvent,
  type TestCustomer,
  startWithSmtpSink,
} from '../../test/support/notification-fixtures';

let system: TestSystem;
let sink: SmtpSink;
let stop: () => Promise<void>;
let http: HttpClient;
const alice = newCustomer();
const bob = newCustomer();

/** Given two known customers with one order confirmation each (an email and a push). */
beforeAll(async () => {
  ({ system, sink, stop } = await startWithSmtpSink(['notifications', 'email', 'push']));
  http = system.http('notifications');
  for (const customer of [alice, bob]) {
    await customerCreated(customer);
    const { eventId } = await publishEvent('order.created', orderCreatedPayload(customer.customer_id));
    await eventually(async () => (await notificationsFor(eventId)).length === 2);
  }
});
afterAll(() => stop());

const count = async () => Number((await db()('notifications.notifications').count<{ n: string }[]>('* as n'))[0].n);
const outboxCount = async () => Number((await db()('messaging.outbox').count<{ n: string }[]>('* as n'))[0].n);
const notificationOf = async (owner: TestCustomer) =>
  (await db()('notifications.notifications').where({ customer_id: owner.customer_id }).first()).id;

describe('notifications API', () => {
  test('a customer lists only their own notifications, and another customer_id filter finds nothing', async () => {
    const own = await http('GET', '/notifications', { customer: alice.customer_id });
    expect(own.status).toBe(200);
    expect(own.body.data).toHaveLength(2);
    expect(own.body.data.every((n: { customer_id: string }) => n.customer_id === alice.customer_id)).toBe(true);
    expect(own.body.data.map((n: { channel: string }) => n.channel).sort()).toEqual(['email', 'push']);
    const other = await http('GET', `/notifications?customer_id=${bob.customer_id}`, { customer: alice.customer_id });
    expect(other.body).toEqual({ data: [], next_cursor: null });
  });

  test('an admin lists everyone, filters by customer, and pages without repeating a notification', async () => {
    const bobs = await http('GET', `/notifications?customer_id=${bob.customer_id}&channel=email`);
    expect(bobs.body.data).toHaveLength(1);
    expect(bobs.body.data[0]).toMatchObject({ customer_id: bob.customer_id, channel: 'email', kind: 'order_created' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await http(
        'GET',
        `/notifications?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.data.map((n) => n.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(await count());
    expect(new Set(seen).size).toBe(seen.length);
  });

  test("a customer reads their own notification with its status, and another customer's is a 404", async () => {
    const mine = await notificationOf(alice);
    const res = await http('GET', `/notifications/${mine}`, { customer: alice.customer_id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: mine, customer_id: alice.customer_id, status: expect.stringMatching(/pending|sent/) });
    expect((await http('GET', `/notifications/${mine}`, { customer: bob.customer_id })).status).toBe(404);
    expect((await http('GET', `/notifications/${mine}`)).status).toBe(200);
    expect((await http('GET', '/notifications/7d0e3f7c-0000-4000-8000-000000000000')).body.error.code).toBe('not_found');
    expect((await http('GET', '/notifications/not-a-uuid')).status).toBe(400);
  });

  test('an admin sends a manual notification: it is created pending, mailed once and ends sent', async () => {
    const res = await http('POST', '/notifications', {
      body: { customer_id: alice.customer_id, channel: 'email', subject: 'Your parcel', body: 'It is on its way.' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'manual', channel: 'email', status: 'pending', recipient: alice.email });
    await eventually(async () => (await http('GET', `/notifications/${res.body.id}`)).body.status === 'sent');
    expect(mailsTo(sink, alice.email).filter((m) => m.subject === 'Your parcel')).toHaveLength(1);
  });

  test('a retried manual notification with the same Idempotency-Key answers the first one and sends nothing new', async () => {
    const body = { customer_id: bob.customer_id, channel: 'push', subject: 'Sale', body: 'Everything is 10% off.' };
    const headers = { 'idempotency-key': 'sale-2026-bob' };
    const first = await http('POST', '/notifications', { body, headers });
    const again = await http('POST', '/notifications', { body, headers });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const reused = await http('POST', '/notifications', { body: { ...body, body: 'Something else' }, headers });
    expect(reused.status).toBe(409);
    const otherChannel = await http('POST', '/notifications', { body: { ...body, channel: 'email' }, headers });
    expect(otherChannel.status).toBe(409);
    expect(
      await db()('notifications.notifications').where({ customer_id: bob.customer_id, kind: 'manual', subject: 'Sale' }),
    ).toHaveLength(1);
    await settle();
    expect(await db()('push.inbox').where({ customer_id: bob.customer_id, title: 'Sale' })).toHaveLength(1);
  });

  test('a customer cannot send a notification (403) and nothing is written', async () => {
    const before = [await count(), await outboxCount()];
    const res = await http('POST', '/notifications', {
      customer: alice.customer_id,
      body: { customer_id: alice.customer_id, channel: 'push', subject: 'x', body: 'y' },
    });
    expect(res.status).toBe(403);
    expect([await count(), await outboxCount()]).toEqual(before);
  });

  test.each([
    ['a missing subject', { channel: 'email', body: 'b' }],
    ['an unknown channel', { channel: 'sms', subject: 's', body: 'b' }],
    ['an unknown field', { channel: 'email', subject: 's', body: 'b', priority: 'high' }],
    ['an empty body', { channel: 'push', subject: 's', body: '   ' }],
    ['a customer id that is not a UUID', { customer_id: 'alice', channel: 'push', subject: 's', body: 'b' }],
  ])('%s is a 400 with details and writes nothing', async (_case, fields) => {
    const before = [await count(), await outboxCount()];
    const res = await http('POST', '/notifications', { body: { customer_id: alice.customer_id, ...fields } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', details: expect.any(Array) });
    expect([await count(), await outboxCount()]).toEqual(before);
  });

  test('a customer notifications has not heard of is a 404; a non-JSON body is a 415; bad list queries are 400s', async () => {
    const before = [await count(), await outboxCount()];
    const unknown = newCustomer();
    const res = await http('POST', '/notifications', {
      body: { customer_id: unknown.customer_id, channel: 'push', subject: 's', body: 'b' },
    });
    expect(res.status).toBe(404);
    expect((await http('POST', '/notifications', { raw: 'subject=x', headers: { 'content-type': 'text/plain' } })).status).toBe(
      415,
    );
    expect([await count(), await outboxCount()]).toEqual(before);
    for (const query of ['limit=1000', 'status=lost', 'customer_id=nope', 'sort=created_at', 'cursor=garbage']) {
      expect((await http('GET', `/notifications?${query}`)).status).toBe(400);
    }
  });
});
