import { fcmProvider, fcmRequestBody } from './fcm';

const message = { notification_id: 'n-1', customer_id: 'c-1', title: 'Order confirmed', body: 'Total 10.00' };
const reply = (status: number, body: object = {}) => new Response(JSON.stringify(body), { status });

/** The FCM adapter's contract with an injected fetch (it is not wired to FCM in this project yet). */
function provider(tokens: string[], replies: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    return replies.shift()!;
  };
  const fcm = fcmProvider({
    projectId: 'shop',
    tokens: async () => tokens,
    accessToken: async () => 'tok',
    fetch: fake as typeof fetch,
  });
  return { fcm, calls };
}

describe('FCM adapter', () => {
  test('sends one HTTP v1 message per device token and reports the message names', async () => {
    const { fcm, calls } = provider(['device-a'], [reply(200, { name: 'projects/shop/messages/1' })]);
    expect(await fcm.deliver(message)).toEqual({ outcome: 'delivered', providerMessageId: 'projects/shop/messages/1' });
    expect(calls[0].url).toBe('https://fcm.googleapis.com/v1/projects/shop/messages:send');
    expect(calls[0].init.headers).toMatchObject({ authorization: 'Bearer tok' });
    expect(JSON.parse(String(calls[0].init.body))).toEqual(fcmRequestBody(message, 'device-a'));
  });

  test('no device, or only dead tokens, is a final rejection', async () => {
    expect((await provider([], []).fcm.deliver(message)).outcome).toBe('rejected');
    expect((await provider(['gone'], [reply(404, { error: { status: 'NOT_FOUND' } })]).fcm.deliver(message)).outcome).toBe(
      'rejected',
    );
  });

  test('throttling and server errors are thrown, so Pub/Sub retries', async () => {
    await expect(provider(['a'], [reply(429)]).fcm.deliver(message)).rejects.toThrow('FCM answered 429');
    await expect(provider(['a'], [reply(503)]).fcm.deliver(message)).rejects.toThrow('FCM answered 503');
  });
});
