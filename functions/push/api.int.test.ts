import { randomUUID } from 'node:crypto';
import { captureTopic, eventually, settle, startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';
import { inboxOf, publishConcurrently, publishEvent } from '../../test/support/notification-fixtures';

/** The push channel on its own: push.requested published as notifications does, the inbox read over HTTP. */
let system: TestSystem;
let http: HttpClient;

beforeAll(async () => {
  system = await startSystem(['push']);
  http = system.http('push');
});
afterAll(() => system.stop());

const pushRequest = (customerId: string, title = 'Order confirmed') => ({
  notification_id: randomUUID(),
  customer_id: customerId,
  title,
  body: 'Order 42: 3 items, total 2639.88.',
});

describe('push service', () => {
  test('given a push request delivered three times at once and again under a new event id, then one inbox entry and one delivery result', async () => {
    const delivered = await captureTopic('notification.delivered');
    const request = pushRequest(randomUUID());
    await publishConcurrently(3, 'push.requested', request);
    await publishEvent('push.requested', request);
    await eventually(async () => delivered.messages.some((m) => m.data.notification_id === request.notification_id));
    await settle();

    expect(await inboxOf(request.customer_id)).toHaveLength(1);
    expect(delivered.messages.filter((m) => m.data.notification_id === request.notification_id).map((m) => m.data)).toEqual([
      { notification_id: request.notification_id, channel: 'push' },
    ]);
    await delivered.close();
  });

  test('a customer reads their own inbox, oldest first, in pages; anyone else’s is a 404; an admin reads any', async () => {
    const customer = randomUUID();
    for (const title of ['first', 'second', 'third']) {
      await publishEvent('push.requested', pushRequest(customer, title));
      await eventually(async () => (await inboxOf(customer)).some((m) => m.title === title));
    }
    const page = await http('GET', `/notifications/${customer}?limit=2`, { customer });
    expect(page.status).toBe(200);
    expect(page.body.data.map((m: { title: string }) => m.title)).toEqual(['first', 'second']);
    const next = await http('GET', `/notifications/${customer}?limit=2&cursor=${page.body.next_cursor}`, { customer });
    expect(next.body).toMatchObject({ data: [{ title: 'third', customer_id: customer, provider: 'inbox' }], next_cursor: null });

    expect((await http('GET', `/notifications/${customer}`, { customer: randomUUID() })).status).toBe(404);
    expect((await http('GET', `/notifications/${customer}`)).body.data).toHaveLength(3);
    expect((await http('GET', `/notifications/${randomUUID()}`)).body).toEqual({ data: [], next_cursor: null });
  });

  test('bad input is a 400: a customer id that is not a UUID, an unknown query parameter', async () => {
    expect((await http('GET', '/notifications/nobody')).status).toBe(400);
    expect((await http('GET', `/notifications/${randomUUID()}?unread=true`)).status).toBe(400);
    expect((await http('GET', '/')).body).toMatchObject({ status: 'ok', service: 'push' });
  });
});
