import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { migrate } from '../migrations';
import { closeDb } from '../shared/db';
import { closePubSub, pubsub } from '../shared/messaging/pubsub';
import { pushPath, type ServiceName } from '../shared/topology';
import { startEmulator, stopChild } from '../scripts/stack/emulator';
import { ensureDatabase, startPostgres } from '../scripts/stack/postgres';
import { provisionTopology } from '../scripts/stack/provision';
import { localFunctionUrl } from '../scripts/stack/push-token';
import { freePort } from '../test/support/global-setup';

/**
 * A private stack for benchmarks, started the way `npm run dev` starts one: embedded PostgreSQL,
 * the emulator, and one Functions Framework process per service receiving real pushes.
 */
export interface BenchStack {
  url(service: ServiceName): string;
  rssMb(service: ServiceName): number;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

export async function startBenchStack(services: ServiceName[]): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-bench-'));
  chmodSync(dir, 0o755);
  const postgres = await startPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false });
  const emulator = await startEmulator({ port: await freePort(), logFile: path.join(dir, 'emulator.log') });
  const databaseUrl = await ensureDatabase(postgres.adminUrl, 'bench');
  const ownEnv = ['DATABASE_URL', 'PUBSUB_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT', 'METADATA_SERVER_DETECTION', 'LOG_LEVEL'];
  const previousEnv = Object.fromEntries(ownEnv.map((name) => [name, process.env[name]]));
  const migrator = knex({ client: 'pg', connection: databaseUrl });
  await migrate(migrator).finally(() => migrator.destroy());
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    PUBSUB_EMULATOR_HOST: emulator.host,
    GOOGLE_CLOUD_PROJECT: 'bench',
    METADATA_SERVER_DETECTION: 'none',
    LOG_LEVEL: 'error',
  });

  const children = new Map<ServiceName, { child: ChildProcess; port: number }>();
  await Promise.all(
    services.map(async (service) => {
      const port = await freePort();
      const child = fork(path.join(root, 'scripts/serve.ts'), [service], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      await new Promise((resolve) => child.once('message', resolve));
      children.set(service, { child, port });
    }),
  );
  await provisionTopology(pubsub(), (sub) => {
    const host = children.get(sub.service);
    return host && localFunctionUrl(`http://127.0.0.1:${host.port}`, sub.functionName) + pushPath('bench', sub.topic);
  });

  return {
    url: (service) => `http://127.0.0.1:${children.get(service)!.port}`,
    rssMb: (service) => {
      const status = readFileSync(`/proc/${children.get(service)!.child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    stop: async () => {
      await Promise.all([...children.values()].map(({ child }) => stopChild(child)));
      await Promise.allSettled([closeDb(), closePubSub()]);
      await emulator.stop();
      await postgres.stop();
      // The next stack in this process must start its own servers, not reuse these stopped ones.
      for (const [name, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
