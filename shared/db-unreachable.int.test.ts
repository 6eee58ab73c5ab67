import net from 'node:net';
import knex, { type Knex } from 'knex';
import { isDatabaseUnreachable, untilDatabaseAnswers } from './db';

/**
 * A consumer holds its push while the database cannot be reached (shared/messaging/consumer.ts):
 * the real PostgreSQL of the test run (its maintenance database), behind a TCP proxy that is cut and restored.
 */
let proxy: net.Server | undefined;
let port = 0;
const sockets = new Set<net.Socket>();
let database: Knex;

function openProxy(): Promise<void> {
  const target = new URL(process.env.SHOPFLOW_TEST_ADMIN_URL!);
  proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => proxy!.listen(port, '127.0.0.1', () => resolve()));
}

/** Refuses new connections and cuts the open ones, as a server going down does. */
async function cutProxy(): Promise<void> {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy!.close(resolve));
}

beforeAll(async () => {
  await openProxy();
  port = (proxy!.address() as net.AddressInfo).port;
  const url = new URL(process.env.SHOPFLOW_TEST_ADMIN_URL!);
  url.port = String(port);
  database = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
  await database.raw('select 1');
});
afterAll(async () => {
  await database.destroy();
  if (proxy?.listening) await cutProxy();
});

describe('the database going away', () => {
  test('work is run again until the database answers, within the budget', async () => {
    await cutProxy();
    const back = setTimeout(() => void openProxy(), 1_500);
    const started = Date.now();
    const { rows } = await untilDatabaseAnswers(() => database.raw('select 42 as answer'), 10_000);
    clearTimeout(back);
    expect(rows).toEqual([{ answer: 42 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  test('past the budget the last connection error is thrown; other errors are thrown at once', async () => {
    await cutProxy();
    try {
      const started = Date.now();
      const error = await untilDatabaseAnswers(() => database.raw('select 1'), 800).catch((e: unknown) => e);
      expect(isDatabaseUnreachable(error)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    } finally {
      await openProxy();
    }
    let runs = 0;
    const wrong = await untilDatabaseAnswers(() => (runs++, database.raw('select * from no_such_table')), 10_000).catch(
      (e: unknown) => e,
    );
    expect(runs).toBe(1);
    expect(isDatabaseUnreachable(wrong)).toBe(false);
  });
});
