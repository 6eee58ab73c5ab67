import type { ChildProcess } from 'node:child_process';
import knex from 'knex';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { launchEmulator, stopChild, startEmulator, type RunningEmulator } from './stack/emulator';
import { RESTART_DELAYS_MS, supervise, type Supervised } from './stack/supervise';
import { acquireLock, assertPortsFree, portFree } from './stack/guard';
import { ensureDatabase, launchPostgres, startPostgres, type RunningPostgres } from './stack/postgres';
import { provisionTopology, topologyIntact } from './stack/provision';
import { localFunctionUrl } from './stack/push-token';
import { startSmtpSink, REJECTED_DOMAIN, type SmtpSink } from './stack/smtp-sink';
import { startProviderSandboxes, type ProviderSandboxes } from './stack/sandboxes';
import {
  compileEntry,
  forkServiceProcess,
  groupNames,
  LOCAL_DB_POOL_MAX,
  processGroups,
  whenServing,
  type ProcessGroup,
} from './stack/service-processes';
import { migrate } from '../migrations';
import { closePubSub, pubsub } from '../shared/messaging/pubsub';
import { closeDb } from '../shared/db';
import { seed } from './seed';
import { jobs, pushPath, serviceNames, services, type JobName, type PushSubscription } from '../shared/topology';

/**
 * `npm run dev`: the whole system on this machine. PostgreSQL (DATABASE_URL or embedded), the
 * Pub/Sub emulator (PUBSUB_EMULATOR_HOST or started here), migrations, seed data, the topology,
 * the services (a few processes, each serving a group of services on their ports: see
 * stack/service-processes.ts), and a local scheduler for the jobs.
 * Ctrl-C stops everything it started.
 */
const root = path.resolve(__dirname, '..');
const dataDir = process.env.SHOPFLOW_DATA_DIR ?? path.join(root, '.data');
const shown = (file: string) => path.relative(process.cwd(), path.resolve(dataDir, file));
const PG_PORT = Number(process.env.SHOPFLOW_PG_PORT ?? 54329);
const EMULATOR_PORT = Number(process.env.SHOPFLOW_PUBSUB_PORT ?? 8085);
const SMTP_PORT = Number(process.env.SHOPFLOW_SMTP_PORT ?? 1025);
const MAIL_LIST_PORT = Number(process.env.SHOPFLOW_MAIL_LIST_PORT ?? 8025);
const PAYMENT_SANDBOX_PORT = Number(process.env.SHOPFLOW_PAYMENT_SANDBOX_PORT ?? 8040);
const CARRIER_SANDBOX_PORT = Number(process.env.SHOPFLOW_CARRIER_SANDBOX_PORT ?? 8041);
const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'shopflow-local';

const say = (line: string) => process.stdout.write(`[dev] ${line}\n`);
const children = new Map<ProcessGroup, ChildProcess>();
let serveScript = '';
let postgres: Supervised<RunningPostgres> | undefined;
let emulator: Supervised<RunningEmulator> | undefined;
let smtpSink: SmtpSink | undefined;
let sandboxes: ProviderSandboxes | undefined;
let releaseLock = () => {};
let stopping = false;
const timers: NodeJS.Timeout[] = [];

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  releaseLock = acquireLock(path.join(dataDir, 'dev.lock'));
  await assertPortsFree({
    ...Object.fromEntries(serviceNames.map((s) => [s, services[s].port])),
    ...(process.env.DATABASE_URL ? {} : { postgres: PG_PORT }),
    ...(process.env.PUBSUB_EMULATOR_HOST ? {} : { 'pubsub emulator': EMULATOR_PORT }),
    ...(process.env.SMTP_URL ? {} : { 'smtp sink': SMTP_PORT, 'smtp sink listing': MAIL_LIST_PORT }),
    ...(process.env.PAYMENT_PROVIDER_URL ? {} : { 'payment provider sandbox': PAYMENT_SANDBOX_PORT }),
    ...(process.env.CARRIER_URL ? {} : { 'carrier sandbox': CARRIER_SANDBOX_PORT }),
  });

  // both are started again if they exit while the stack runs (the emulator then gets its topology back)
  // (they set DATABASE_URL and PUBSUB_EMULATOR_HOST for the services: a restart launches the embedded one again)
  const startDatabase = process.env.DATABASE_URL ? startPostgres : launchPostgres;
  const pgOptions = { dataDir: path.join(dataDir, 'postgres'), port: PG_PORT, persistent: true };
  postgres = await supervise('PostgreSQL', (onExit) => startDatabase({ ...pgOptions, onExit }), {
    say,
    stopping: () => stopping,
    portFree: () => portFree(PG_PORT),
  });
  const pg = postgres.current();
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pg.adminUrl, 'shopflow'));
  say(`postgres: ${pg.embedded ? `embedded, port ${PG_PORT}, data in ${shown(pg.dataDir ?? 'postgres')}` : 'DATABASE_URL'}`);

  const emulatorLog = path.join(dataDir, 'pubsub-emulator.log');
  const startBroker = process.env.PUBSUB_EMULATOR_HOST ? startEmulator : launchEmulator;
  emulator = await supervise(
    'the Pub/Sub emulator',
    (onExit) => startBroker({ port: EMULATOR_PORT, logFile: emulatorLog, onExit }),
    { say, stopping: () => stopping, portFree: () => portFree(EMULATOR_PORT), afterRestart: () => provision() },
  );
  const { host: emulatorHost, pid: emulatorPid } = emulator.current();
  say(`pubsub emulator: ${emulatorHost} (project ${project})${emulatorPid ? `, log in ${shown('pubsub-emulator.log')}` : ''}`);

  if (process.env.SMTP_URL) {
    say('mail: SMTP_URL');
  } else {
    smtpSink = await startSmtpSink({ port: SMTP_PORT, listPort: MAIL_LIST_PORT });
    Object.assign(process.env, { SMTP_URL: smtpSink.url, MAIL_SINK_URL: smtpSink.listUrl });
    say(`mail: local SMTP sink on ${smtpSink.url} (nothing leaves this machine; @${REJECTED_DOMAIN} is refused)`);
  }

  Object.assign(process.env, {
    // short waits locally, so that a person can watch a timeout or a re-drive happen (production: see shared/config.ts)
    PAYMENT_TIMEOUT_SECONDS: process.env.PAYMENT_TIMEOUT_SECONDS ?? '60',
    CART_REDRIVE_AFTER_SECONDS: process.env.CART_REDRIVE_AFTER_SECONDS ?? '30',
    ORDER_REDRIVE_AFTER_SECONDS: process.env.ORDER_REDRIVE_AFTER_SECONDS ?? '30',
    NOTIFICATION_REDRIVE_AFTER_SECONDS: process.env.NOTIFICATION_REDRIVE_AFTER_SECONDS ?? '30',
    // an event lost by the broker (e.g. an emulator restarted under load) is published again after a minute
    UNDELIVERED_REDRIVE_AFTER_SECONDS: process.env.UNDELIVERED_REDRIVE_AFTER_SECONDS ?? '60',
    DB_POOL_MAX: process.env.DB_POOL_MAX ?? LOCAL_DB_POOL_MAX,
    DATABASE_URL: databaseUrl,
    PUBSUB_EMULATOR_HOST: emulatorHost,
    GOOGLE_CLOUD_PROJECT: project,
    METADATA_SERVER_DETECTION: 'none', // no GCE metadata probing against the emulator
  });
  sandboxes = await startProviderSandboxes({
    useConfigured: true,
    paymentPort: PAYMENT_SANDBOX_PORT,
    carrierPort: CARRIER_SANDBOX_PORT,
    webhookUrl: `http://127.0.0.1:${services.payments.port}/payments/webhook`,
  });
  for (const line of sandboxes.describe()) say(line);

  const connection = knex({ client: 'pg', connection: databaseUrl });
  const applied = await migrate(connection).finally(() => connection.destroy());
  say(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);

  serveScript = await compileEntry('scripts/serve.ts');
  await Promise.all(groupNames.map((group) => startGroup(group)));
  await provision();
  say('topology: topics and push subscriptions created');
  await seed();
  say('seed data: 5 customers, 5 products');
  // from here on this process only schedules jobs over HTTP and hosts the sinks: its database
  // connection and Pub/Sub client would only hold memory (and a PostgreSQL backend)
  await Promise.allSettled([closeDb(), closePubSub()]);
  timers.push(setInterval(() => void provisionIfLost(emulatorHost), TOPOLOGY_CHECK_MS));

  for (const job of Object.keys(jobs) as JobName[]) timers.push(setInterval(() => void runJob(job), jobs[job].localEveryMs));
  say('ready:');
  for (const s of serviceNames) say(`  ${s.padEnd(14)} http://127.0.0.1:${services[s].port}`);
  if (smtpSink) say(`  sent mail      http://127.0.0.1:${services.email.port}/mail`);
  say('Ctrl-C stops everything.');
}

/** A crashed process is restarted after RESTART_DELAYS_MS[n]; past the last one in RESTART_WINDOW_MS it is reported down. */
const RESTART_WINDOW_MS = 5 * 60_000;
const crashes = new Map<ProcessGroup, number[]>();
const described = (group: ProcessGroup) => `${group} (${processGroups[group].join(', ')})`;

/**
 * Starts a group's process; resolves once it serves. A failure of the first start stops the stack (a
 * broken checkout should say so at once); a later crash, or a restart that fails, is retried with backoff.
 */
function startGroup(group: ProcessGroup, restart = false): Promise<void> {
  const ports = Object.fromEntries(processGroups[group].map((s) => [s, services[s].port]));
  const child = forkServiceProcess(processGroups[group], { script: serveScript, ports });
  children.set(group, child);
  let ready = false;
  child.once('exit', (code, signal) => {
    children.delete(group);
    if (stopping) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!ready && !restart) return void shutdown(`${described(group)} could not start (${how})`, 1);
    restartLater(group, how);
  });
  return whenServing(child, described(group)).then(() => {
    ready = true;
  });
}

function restartLater(group: ProcessGroup, how: string): void {
  const now = Date.now();
  const recent = (crashes.get(group) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
  crashes.set(group, [...recent, now]);
  const delay = RESTART_DELAYS_MS[recent.length];
  if (delay === undefined) {
    say(
      `${described(group)} crashed ${recent.length + 1} times in ${RESTART_WINDOW_MS / 60_000} minutes (${how}); it stays DOWN, the rest keeps running`,
    );
    return;
  }
  say(
    `${described(group)} crashed (${how}); restarting in ${delay} ms (restart ${recent.length + 1} of ${RESTART_DELAYS_MS.length})`,
  );
  const timer = setTimeout(() => {
    if (stopping) return;
    startGroup(group, true).then(
      () => say(`${described(group)} restarted`),
      () => undefined, // a failed restart is retried through its exit handler
    );
  }, delay);
  timers.push(timer);
}

/** Creates the topics and push subscriptions (existing ones are kept), with a Pub/Sub client of its own. */
async function provision(): Promise<void> {
  const endpoint = (sub: PushSubscription) =>
    localFunctionUrl(`http://127.0.0.1:${services[sub.service].port}`, sub.functionName) + pushPath(project, sub.topic);
  await provisionTopology(pubsub(), endpoint).finally(() => closePubSub());
}

/**
 * An emulator restarted by someone else (or one given by PUBSUB_EMULATOR_HOST) comes back empty:
 * every publish then fails and nothing is delivered. Checked every TOPOLOGY_CHECK_MS; what it held
 * in flight comes back through the re-drives.
 */
const TOPOLOGY_CHECK_MS = 10_000;
async function provisionIfLost(host: string): Promise<void> {
  if (stopping || (await topologyIntact(host, project).catch(() => true))) return;
  say('the Pub/Sub emulator has lost its topics or subscriptions (restarted without its state); provisioning them again');
  await provision().then(
    () => say('topology: provisioned again'),
    (error: unknown) => say(`topology: could not provision yet (${String(error)}); trying again`),
  );
}

async function runJob(job: JobName): Promise<void> {
  try {
    await fetch(localFunctionUrl(`http://127.0.0.1:${services[jobs[job].service].port}`, job), { method: 'POST' });
  } catch {
    // the owning service logs its own failures; the next tick tries again
  }
}

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${reason}; stopping…`);
  timers.forEach((t) => clearTimeout(t));
  await Promise.allSettled([...children.values()].map((c) => stopChild(c)));
  await Promise.allSettled([emulator?.stop(), postgres?.stop(), smtpSink?.close(), sandboxes?.close()]);
  releaseLock();
  say('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown('interrupted'));
process.on('SIGTERM', () => void shutdown('terminated'));
main().catch((error: unknown) => {
  process.stderr.write(`[dev] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown('start-up failed', 1);
});
