import { db } from '../../shared/db';
import { DEAD_LETTER_RECORDER } from '../../shared/topology';
import { startSystem, type TestSystem } from '../../test/support/harness';
import { localFunctionUrl, localPushToken } from './push-token';

/**
 * Issue 10.6: the local function endpoints on the API ports take only pushes that carry the run's
 * secret, and only JSON, so a web page open in the developer's browser cannot forge an event.
 */
let system: TestSystem;
beforeAll(async () => {
  system = await startSystem(['messaging']);
});
afterAll(() => system.stop());

const pushPath = `/projects/p/topics/dead-letter`;
const pushBody = (eventId: string) =>
  JSON.stringify({
    message: {
      data: Buffer.from('{"forged":true}').toString('base64'),
      attributes: { event_id: eventId, event_type: 'order-requested' },
      messageId: '1',
    },
    subscription: 'projects/p/subscriptions/s',
  });
const stored = async (eventId: string) =>
  Number((await db()('messaging.dead_letters').where({ event_id: eventId }).count<{ n: string }[]>('* as n'))[0].n);

test.each([
  ['without a token', () => `${system.hosts.messaging!.baseUrl}/_functions/${DEAD_LETTER_RECORDER}`],
  [
    'with a wrong token',
    () =>
      localFunctionUrl(system.hosts.messaging!.baseUrl, DEAD_LETTER_RECORDER).replace(
        localPushToken(),
        'x'.repeat(localPushToken().length),
      ),
  ],
])('a push %s is a 404 and stores nothing', async (_case, urlOf) => {
  const eventId = '7d3c1c7e-4d7a-4f0e-9a43-000000000001';
  const res = await fetch(urlOf() + pushPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: pushBody(eventId),
  });
  expect(res.status).toBe(404);
  expect(await stored(eventId)).toBe(0);
});

test('a form-encoded push, even with the token, is a 415 and stores nothing', async () => {
  const eventId = '7d3c1c7e-4d7a-4f0e-9a43-000000000002';
  const res = await fetch(system.hosts.messaging!.functionUrl(DEAD_LETTER_RECORDER) + pushPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ 'message[attributes][event_id]': eventId, 'message[data]': 'e30=' }).toString(),
  });
  expect(res.status).toBe(415);
  expect(await stored(eventId)).toBe(0);
});

test('a JSON push with the run token reaches the function', async () => {
  const eventId = '7d3c1c7e-4d7a-4f0e-9a43-000000000003';
  const res = await fetch(system.hosts.messaging!.functionUrl(DEAD_LETTER_RECORDER) + pushPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: pushBody(eventId),
  });
  expect(res.status).toBe(204);
  expect(await stored(eventId)).toBe(1);
});

test('a function that fails answers 500 without the error text (no SQL, no hosts), also outside production', async () => {
  await db().raw('alter table messaging.outbox rename to outbox_moved');
  try {
    const res = await fetch(system.hosts.messaging!.functionUrl('outbox-sweeper'), { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).not.toMatch(/outbox|select|relation|messaging/i);
  } finally {
    await db().raw('alter table messaging.outbox_moved rename to outbox');
  }
});
