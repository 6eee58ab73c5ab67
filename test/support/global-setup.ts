import { Client } from 'pg';
import { chmodSync, mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { migrate } from '../../migrations';
import { startEmulator, type RunningEmulator } from '../../scripts/stack/emulator';
import { ensureDatabase, startPostgres, type RunningPostgres } from '../../scripts/stack/postgres';
import { TEMPLATE_DB, type TestStack } from './stack';

/**
 * Starts, once for the whole run, the same PostgreSQL and Pub/Sub emulator the dev stack uses
 * (DATABASE_URL / PUBSUB_EMULATOR_HOST when set), and a migrated template database that every
 * test file copies. Test files are isolated by their own database and their own emulator project.
 * Only the int/e2e project has this set-up (jest.config.js): a run of unit tests starts nothing.
 */
const handedOut = new Set<number>();
/**
 * A port free right now that this process has not handed out before: the ports of one stack are all drawn before
 * any of them is bound, and the system may offer a port it just freed again (a bench run once gave two services one port).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: offered } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(offered));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-test-'));
  chmodSync(dir, 0o755); // as root, the embedded server runs as the postgres user
  let postgres: RunningPostgres | undefined;
  let emulator: RunningEmulator | undefined;
  // If Jest dies without running the teardown, nothing started here may outlive it.
  process.once('exit', () => {
    kill(emulator?.pid, 'SIGKILL');
    kill(postgres?.pid, 'SIGQUIT');
  });
  try {
    const started = await Promise.allSettled([
      freePort().then((port) => startPostgres({ dataDir: path.join(dir, 'postgres'), port, persistent: false })),
      freePort().then((port) => startEmulator({ port, logFile: path.join(dir, 'pubsub-emulator.log') })),
    ]);
    if (started[0].status === 'fulfilled') postgres = started[0].value;
    if (started[1].status === 'fulfilled') emulator = started[1].value;
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await dropDatabase(postgres!.adminUrl, TEMPLATE_DB);
    const templateUrl = await ensureDatabase(postgres!.adminUrl, TEMPLATE_DB);
    const connection = knex({ client: 'pg', connection: templateUrl });
    await migrate(connection).finally(() => connection.destroy());
  } catch (error) {
    // never leave half a stack behind
    await Promise.allSettled([postgres?.stop(), emulator?.stop()]);
    throw error;
  }

  process.env.SHOPFLOW_TEST_ADMIN_URL = postgres!.adminUrl;
  process.env.PUBSUB_EMULATOR_HOST = emulator!.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  if (process.env.TEST_LOGS !== '1') process.env.LOG_LEVEL = 'silent';
  (globalThis as { __shopflowStack?: TestStack }).__shopflowStack = { postgres: postgres!, emulator: emulator! };
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(pid, signal);
  } catch {
    // already stopped by the teardown
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`drop database if exists "${name}" with (force)`).finally(() => client.end());
}
