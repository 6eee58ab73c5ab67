import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { migrate } from '../../migrations';
import { startEmulator, stopChild, type RunningEmulator } from '../../scripts/stack/emulator';
import { ensureDatabase, startPostgres, type RunningPostgres } from '../../scripts/stack/postgres';
import { provisionTopology } from '../../scripts/stack/provision';
import { localFunctionUrl } from '../../scripts/stack/push-token';
import { startProviderSandboxes, type ProviderSandboxes } from '../../scripts/stack/sandboxes';
import { compileEntry, forkServiceProcess } from '../../scripts/stack/service-processes';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { closeDb } from '../../shared/db';
import { closePubSub, pubsub } from '../../shared/messaging/pubsub';
import { jobs, pushPath, serviceNames, type JobName, type ServiceName } from '../../shared/topology';
import { freePort } from '../support/global-setup';
import { openFront, type Front } from './front';

/**
 * The fault suite's system: its own PostgreSQL (a data folder that survives a stop), its own emulator,
 * the SMTP sink and provider sandboxes, and every service as its own process (scripts/serve.ts compiled
 * as `npm run dev` runs it, one service per process) on free ports behind a front (front.ts), restarted when it
 * dies unless the suite holds it down.
 * The suite is the scheduler: every job runs on its local period.
 */
export interface FaultStack {
  dir: string;
  databaseUrl: string;
  emulator: RunningEmulator;
  sandboxes: ProviderSandboxes;
  smtp: SmtpSink;
  baseUrl(service: ServiceName): string;
  /** Unexpected exits (crashes) by service and signal. */
  crashes: Record<string, number>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** SIGKILL a service and keep it down until `revive`. */
  kill(service: ServiceName): Promise<void>;
  revive(service: ServiceName): Promise<void>;
  runJob(job: JobName): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Fault points per service (SHOPFLOW_FAILPOINT) and the rate at which they fire. */
  failpoints: Partial<Record<ServiceName, { points: string; rate: number }>>;
  slowHandlerMs: number;
  env: Record<string, string>;
}

export async function startFaultStack(options: StackOptions): Promise<FaultStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-faults-'));
  await chmod(dir, 0o755); // as root, the embedded server runs as the postgres user
  const pgPort = await freePort();
  const pgDir = path.join(dir, 'postgres');
  let postgres: RunningPostgres = await startPostgres({ dataDir: pgDir, port: pgPort, persistent: true });
  const emulator = await startEmulator({ port: await freePort(), logFile: path.join(dir, 'pubsub-emulator.log') });
  const databaseUrl = await ensureDatabase(postgres.adminUrl, 'shopflow');
  const smtp = await startSmtpSink({ port: await freePort() });
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (s) => [s, await freePort()] as const))) as Record<
    ServiceName,
    number
  >;
  // every push and API call goes through the service's front, as through the platform's in production
  const fronts = Object.fromEntries(
    await Promise.all(serviceNames.map(async (s) => [s, await openFront(ports[s])] as const)),
  ) as Record<ServiceName, Front>;
  const baseUrl = (service: ServiceName) => `http://127.0.0.1:${fronts[service].port}`;
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    PUBSUB_EMULATOR_HOST: emulator.host,
    GOOGLE_CLOUD_PROJECT: 'shopflow-faults',
    METADATA_SERVER_DETECTION: 'none',
    SMTP_URL: smtp.url,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    ...options.env,
  });
  const sandboxes = await startProviderSandboxes({ webhookUrl: `${baseUrl('payments')}/payments/webhook` });
  const connection = knex({ client: 'pg', connection: databaseUrl });
  await migrate(connection).finally(() => connection.destroy());

  const log: WriteStream = createWriteStream(path.join(dir, 'services.log'), { flags: 'a' });
  log.setMaxListeners(0); // every service process writes into it
  const children = new Map<ServiceName, ChildProcess>();
  const held = new Set<ServiceName>();
  const crashes: Record<string, number> = {};
  let closing = false;

  // compiled as npm run dev runs it: a crashed service is back in about a second, not the several a tsx start takes under load
  const script = await compileEntry('scripts/serve.ts');
  const start = (service: ServiceName): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = forkServiceProcess([service], {
        script,
        ports,
        env: {
          SHOPFLOW_FAILPOINT: options.failpoints[service]?.points ?? '',
          SHOPFLOW_FAILPOINT_RATE: String(options.failpoints[service]?.rate ?? 0),
          SHOPFLOW_FAILPOINT_DELAY_MS: String(options.slowHandlerMs),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      child.stdout!.pipe(log, { end: false });
      child.stderr!.pipe(log, { end: false });
      children.set(service, child);
      let ready = false;
      child.once('message', () => {
        ready = true;
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (children.get(service) === child) children.delete(service);
        if (!ready) reject(new Error(`${service} exited during start-up (${signal ?? code}); see ${dir}/services.log`));
        if (closing || held.has(service) || !ready) return;
        const key = `${service}:${signal ?? `exit ${code}`}`;
        crashes[key] = (crashes[key] ?? 0) + 1;
        setTimeout(() => void restart(service), 300);
      });
    });
  const restart = async (service: ServiceName): Promise<void> => {
    for (let attempt = 0; !closing && !held.has(service) && !children.has(service); attempt++) {
      // a restart while PostgreSQL is down fails at start-up: try again, as a supervisor would
      await start(service).catch(() => new Promise((r) => setTimeout(r, Math.min(5_000, 500 * 2 ** attempt))));
    }
  };

  await Promise.all(serviceNames.map(start));
  await provisionTopology(
    pubsub(),
    (sub) => localFunctionUrl(baseUrl(sub.service), sub.functionName) + pushPath('shopflow-faults', sub.topic),
  );

  const runJob = async (job: JobName) => {
    try {
      await fetch(localFunctionUrl(baseUrl(jobs[job].service), job), { method: 'POST', signal: AbortSignal.timeout(60_000) });
    } catch {
      // the owning service is down or slow: the next tick tries again
    }
  };
  const timers = (Object.keys(jobs) as JobName[]).map((job) => setInterval(() => void runJob(job), jobs[job].localEveryMs));

  return {
    dir,
    databaseUrl,
    emulator,
    sandboxes,
    smtp,
    baseUrl,
    crashes,
    stopPostgres: () => postgres.stop(),
    startPostgres: async () => {
      delete process.env.DATABASE_URL; // set, it would make startPostgres use that server instead of starting ours
      try {
        postgres = await startPostgres({ dataDir: pgDir, port: pgPort, persistent: true });
      } finally {
        process.env.DATABASE_URL = databaseUrl;
      }
    },
    kill: async (service) => {
      held.add(service);
      fronts[service].down = true;
      const child = children.get(service);
      if (child) await new Promise<void>((resolve) => child.once('exit', () => resolve()).kill('SIGKILL'));
    },
    revive: async (service) => {
      held.delete(service);
      fronts[service].down = false;
      await restart(service);
    },
    runJob,
    close: async () => {
      closing = true;
      timers.forEach((t) => clearInterval(t));
      await Promise.allSettled([...children.values()].map((c) => stopChild(c)));
      await Promise.allSettled(Object.values(fronts).map((f) => f.close()));
      await Promise.allSettled([closeDb(), closePubSub()]);
      await Promise.allSettled([emulator.stop(), postgres.stop(), smtp.close(), sandboxes.close()]);
      log.end();
      if (!process.env.SHOPFLOW_FAULTS_KEEP) await rm(dir, { recursive: true, force: true });
    },
  };
}
