import { fork, type ChildProcess } from 'node:child_process';
import knex from 'knex';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { stopChild, startEmulator, type RunningEmulator } from './stack/emulator';
import { acquireLock, assertPortsFree } from './stack/guard';
import { ensureDatabase, startPostgres, type RunningPostgres } from './stack/postgres';
import { provisionTopology } from './stack/provision';
import { startSmtpSink, REJECTED_DOMAIN, type SmtpSink } from './stack/smtp-sink';
import { migrate } from '../migrations';
import { pubsub } from '../shared/messaging/pubsub';
import { seed } from './seed';
import { jobs, pushPath, serviceNames, services, type JobName, type ServiceName } from '../shared/topology';

/**
 * `npm run dev`: the whole system on this machine. PostgreSQL (DATABASE_URL or embedded), the
 * Pub/Sub emulator (PUBSUB_EMULATOR_HOST or started here), migrations, seed data, the topology,
 * one Functions Framework process per service on its port, and a local scheduler for the jobs.
 * Ctrl-C stops everything it started.
 */
const root = path.resolve(__dirname, '..');
const dataDir = process.env.SHOPFLOW_DATA_DIR ?? path.join(root, '.data');
const shown = (file: string) => path.relative(process.cwd(), path.resolve(dataDir, file));
const PG_PORT = Number(process.env.SHOPFLOW_PG_PORT ?? 54329);
const EMULATOR_PORT = Number(process.env.SHOPFLOW_PUBSUB_PORT ?? 8085);
const SMTP_PORT = Number(process.env.SHOPFLOW_SMTP_PORT ?? 1025);
const MAIL_LIST_PORT = Number(process.env.SHOPFLOW_MAIL_LIST_PORT ?? 8025);
const project = process.env.GOOGLE_CLOUD_PROJECT ?? 'shopflow-local';

const say = (line: string) => process.stdout.write(`[dev] ${line}\n`);
const children = new Map<ServiceName, ChildProcess>();
let postgres: RunningPostgres | undefined;
let emulator: RunningEmulator | undefined;
let smtpSink: SmtpSink | undefined;
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
  });

  postgres = await startPostgres({ dataDir: path.join(dataDir, 'postgres'), port: PG_PORT, persistent: true });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(postgres.adminUrl, 'shopflow'));
  say(
    `postgres: ${postgres.embedded ? `embedded, port ${PG_PORT}, data in ${shown(postgres.dataDir ?? 'postgres')}` : 'DATABASE_URL'}`,
  );

  emulator = await startEmulator({ port: EMULATOR_PORT, logFile: path.join(dataDir, 'pubsub-emulator.log') });
  say(`pubsub emulator: ${emulator.host} (project ${project})${emulator.pid ? `, log in ${shown('pubsub-emulator.log')}` : ''}`);

  if (process.env.SMTP_URL) {
    say('mail: SMTP_URL');
  } else {
    smtpSink = await startSmtpSink({ port: SMTP_PORT, listPort: MAIL_LIST_PORT });
    Object.assign(process.env, { SMTP_URL: smtpSink.url, MAIL_SINK_URL: smtpSink.listUrl });
    say(`mail: local SMTP sink on ${smtpSink.url} (nothing leaves this machine; @${REJECTED_DOMAIN} is refused)`);
  }

  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    PUBSUB_EMULATOR_HOST: emulator.host,
    GOOGLE_CLOUD_PROJECT: project,
    METADATA_SERVER_DETECTION: 'none', // no GCE metadata probing against the emulator
  });
  const connection = knex({ client: 'pg', connection: databaseUrl });
  const applied = await migrate(connection).finally(() => connection.destroy());
  say(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);

  await Promise.all(serviceNames.map(startService));
  await provisionTopology(
    pubsub(),
    (sub) => `http://127.0.0.1:${services[sub.service].port}/_functions/${sub.functionName}${pushPath(project, sub.topic)}`,
  );
  say('topology: topics and push subscriptions created');
  await seed();
  say('seed data: 5 customers, 5 products');

  for (const job of Object.keys(jobs) as JobName[]) timers.push(setInterval(() => void runJob(job), jobs[job].localEveryMs));
  say('ready:');
  for (const s of serviceNames) say(`  ${s.padEnd(14)} http://127.0.0.1:${services[s].port}`);
  if (smtpSink) say(`  sent mail      http://127.0.0.1:${services.email.port}/mail`);
  say('Ctrl-C stops everything.');
}

function startService(service: ServiceName): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(root, 'scripts/serve.ts'), [service], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(services[service].port), OTEL_SERVICE_NAME: service },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(service, child);
    child.once('message', () => resolve());
    child.once('exit', (code) => {
      children.delete(service);
      if (!stopping) {
        reject(new Error(`${service} exited with code ${code}`));
        void shutdown(`${service} stopped unexpectedly (exit code ${code})`, 1);
      }
    });
  });
}

async function runJob(job: JobName): Promise<void> {
  try {
    await fetch(`http://127.0.0.1:${services.messaging.port}/_functions/${job}`, { method: 'POST' });
  } catch {
    // the messaging service logs its own failures; the next tick tries again
  }
}

async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${reason}; stopping…`);
  timers.forEach(clearInterval);
  await Promise.allSettled([...children.values()].map((c) => stopChild(c)));
  await Promise.allSettled([emulator?.stop(), postgres?.stop(), smtpSink?.close()]);
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
