import { fork } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../test/support/global-setup';

/** SPEC §2: `GET /` is 503 with the failing check when the database or Pub/Sub is unreachable. */
test('given an unreachable database and Pub/Sub, GET / answers 503 naming both failing checks', async () => {
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
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(503);
    const body: any = await res.json();
    expect(body).toMatchObject({ status: 'unavailable', service: 'products' });
    expect(body.checks.database).toMatch(/^failing: /);
    expect(body.checks.pubsub).toMatch(/^failing: /);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // no stack trace
  } finally {
    child.kill('SIGTERM');
  }
});
