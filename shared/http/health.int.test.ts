import { fork } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../test/support/global-setup';

/**
 * SPEC §2: `GET /` is 503 naming the failing check when the database or Pub/Sub is unreachable.
 * Issue 10.4: publicly that is all it says (no error texts: they carry hosts and users); an admin
 * also sees each check's outcome, as an error code.
 */
const CUSTOMER = '550e8400-e29b-41d4-a716-446655440000';

test('given an unreachable database and Pub/Sub, GET / answers 503 naming both failing checks and leaking nothing', async () => {
  const [port, deadDb, deadPubSub] = [await freePort(), await freePort(), await freePort()];
  const child = fork(path.resolve(__dirname, '../../scripts/serve.ts'), ['products'], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${deadDb}/none`,
      PUBSUB_EMULATOR_HOST: `127.0.0.1:${deadPubSub}`,
    },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    const get = async (headers: Record<string, string>) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers });
      return { status: res.status, text: await res.text() };
    };

    const publicly = await get({ 'x-customer-id': CUSTOMER });
    expect(publicly.status).toBe(503);
    expect(JSON.parse(publicly.text)).toEqual({ status: 'unavailable', service: 'products', failing: ['database', 'pubsub'] });

    const admin = await get({});
    expect(admin.status).toBe(503);
    const body = JSON.parse(admin.text);
    expect(body).toMatchObject({ status: 'unavailable', service: 'products' });
    expect(body.checks.database).toMatch(/^failing: [\w-]+$/);
    expect(body.checks.pubsub).toMatch(/^failing: [\w-]+$/);

    for (const text of [publicly.text, admin.text]) {
      expect(text).not.toMatch(/nobody|127\.0\.0\.1|password|authentication/i);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
    }
  } finally {
    child.kill('SIGTERM');
  }
});
