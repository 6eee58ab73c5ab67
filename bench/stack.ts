import type { ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { migrate } from '../migrations';
import { closeDb } from '../shared/db';
import { closePubSub } from '../shared/messaging/pubsub';
import { pushPath, type PushSubscription, type ServiceName } from '../shared/topology';
import { startEmulator, stopChild } from '../scripts/stack/emulator';
import { ensureDatabase, startPostgres } from '../scripts/stack/postgres';
import { createPushSubscription } from '../scripts/stack/provision';
import { localFunctionUrl } from '../scripts/stack/push-token';
import { compileEntry, forkServiceProcess, groupNames, processGroups, whenServing } from '../scripts/stack/service-processes';
import { startProviderSandboxes, type ProviderSandboxes } from '../scripts/stack/sandboxes';
import { startSmtpSink, type SmtpSink } from '../scripts/stack/smtp-sink';
import { statementSettings } from './pg-statements';
import { freePort } from '../test/support/global-setup';
import { PubSub } from '@google-cloud/pubsub';
import { pushSubscriptions, topicNames } from '../shared/topology';

/**
 * The bench's private infrastructure, started the way `npm run dev` starts it but on free ports:
 * embedded PostgreSQL, the Pub/Sub emulator, the SMTP sink and the provider sandboxes (in this
 * process, as dev.ts keeps them in its own). Service processes are started on it per project, so
 * the real stack and the no-op chain share one emulator and one machine.
 */
export interface Infra {
  /** The bench's temporary folder (data, emulator log, service logs). */
  dir: string;
  databaseUrl: string;
  /** Another database on the same server, migrated like the bench's (for a system that must not share its tables). */
  database(name: string): Promise<string>;
  emulatorHost: string;
  /** Root processes of the infrastructure (their whole process trees count as the stack's memory). */
  pids: Record<string, number>;
  smtp: SmtpSink;
  /** Every mail the SMTP sink accepted since start-up (its own list keeps only the newest 500), and repeated Message-IDs. */
  mails(): { received: number; duplicates: number };
  sandboxes: ProviderSandboxes;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');
const ownEnv = [
  'DATABASE_URL',
  'PUBSUB_EMULATOR_HOST',
  'GOOGLE_CLOUD_PROJECT',
  'METADATA_SERVER_DETECTION',
  'LOG_LEVEL',
  'SMTP_URL',
];

export async function startInfra(env: Record<string, string> = {}): Promise<Infra> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-bench-'));
  chmodSync(dir, 0o755);
  const previousEnv = Object.fromEntries([...ownEnv, ...Object.keys(env)].map((name) => [name, process.env[name]]));
  const [postgres, emulator] = await Promise.all([
    freePort().then((port) =>
      startPostgres({ dataDir: path.join(dir, 'postgres'), port, persistent: false, settings: statementSettings }),
    ),
    freePort().then((port) => startEmulator({ port, logFile: path.join(dir, 'emulator.log') })),
  ]);
  const database = async (name: string) => {
    const url = await ensureDatabase(postgres.adminUrl, name);
    const migrator = knex({ client: 'pg', connection: url });
    await migrate(migrator).finally(() => migrator.destroy());
    return url;
  };
  const databaseUrl = await database('bench');
  const smtp = await startSmtpSink({ port: await freePort() });
  const mails = { received: 0, duplicates: 0, ids: new Set<string>() };
  const keep = smtp.received.push.bind(smtp.received);
  smtp.received.push = (...items) => {
    for (const mail of items) {
      mails.received += 1;
      if (mail.message_id && mails.ids.has(mail.message_id)) mails.duplicates += 1;
      if (mail.message_id) mails.ids.add(mail.message_id);
    }
    return keep(...items);
  };
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    PUBSUB_EMULATOR_HOST: emulator.host,
    METADATA_SERVER_DETECTION: 'none',
    SMTP_URL: smtp.url,
    ...env,
  });
  const sandboxes = await startProviderSandboxes({ paymentPort: await freePort(), carrierPort: await freePort() });
  return {
    dir,
    databaseUrl,
    database,
    emulatorHost: emulator.host,
    pids: { postgres: postgres.pid!, 'pubsub emulator': emulator.pid! },
    smtp,
    mails: () => ({ received: mails.received, duplicates: mails.duplicates }),
    sandboxes,
    stop: async () => {
      await Promise.allSettled([closeDb(), closePubSub(), sandboxes.close(), smtp.close()]);
      await emulator.stop();
      await postgres.stop();
      for (const [name, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/**
 * BENCH_CPU_PROF=<service>[,<service>…]: the processes serving those services run with --cpu-prof, their
 * profiles written to dist/profiles when they stop (summarize one with `npx tsx bench/profile.ts --summary <file>`).
 */
const cpuProfile = (group: readonly ServiceName[]) =>
  group.some((s) => process.env.BENCH_CPU_PROF?.split(',').includes(s))
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'dist/profiles', group.join('+'))}`]
    : [];

/** Service processes of one Pub/Sub project, each with its push subscriptions pointing at it. */
export interface Services {
  project: string;
  url(service: ServiceName): string;
  /** Each process by the name of its group of services. */
  pids(): Record<string, number>;
  children(): Map<string, ChildProcess>;
  stop(): Promise<void>;
}

/**
 * The services grouped into processes as `npm run dev` runs them (scripts/stack/service-processes.ts),
 * from `script` compiled the same way (scripts/serve.ts for the real stack); then every topic and every
 * push subscription of the topology whose service is running, in `project`.
 */
export async function startServices(options: {
  script: string;
  services: ServiceName[];
  project: string;
  env?: Record<string, string>;
  /** Extra node flags for the service processes (e.g. --cpu-prof). */
  execArgv?: string[];
  /** Where the services' output goes (their logs, at the level `npm run dev` uses); else this process's output. */
  logFile?: string;
}): Promise<Services> {
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const script = await compileEntry(options.script);
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of options.services) ports[service] = await freePort();
  const groups = groupNames
    .map((name) => ({ name, services: processGroups[name].filter((s) => options.services.includes(s)) }))
    .filter((g) => g.services.length > 0);
  const children = new Map<string, ChildProcess>();
  await Promise.all(
    groups.map(async (group) => {
      const child = forkServiceProcess(group.services, {
        script,
        ports,
        env: { ...options.env, GOOGLE_CLOUD_PROJECT: options.project },
        execArgv: [...(options.execArgv ?? []), ...cpuProfile(group.services)],
        stdio: ['ignore', output, output, 'ipc'],
      });
      await whenServing(child, group.name);
      children.set(group.name, child);
    }),
  );
  const client = new PubSub({ projectId: options.project });
  try {
    await Promise.all(
      topicNames().map((name) =>
        client.createTopic(name).catch((error: { code?: number }) => {
          if (error.code !== 6) throw error; // ALREADY_EXISTS: another group of this project made it
        }),
      ),
    );
    const endpoint = (sub: PushSubscription) => {
      const port = ports[sub.service];
      return port && localFunctionUrl(`http://127.0.0.1:${port}`, sub.functionName) + pushPath(options.project, sub.topic);
    };
    await Promise.all(
      pushSubscriptions().map(async (sub) => {
        const url = endpoint(sub);
        if (url) await createPushSubscription(client, sub, url);
      }),
    );
  } finally {
    await client.close();
  }
  return {
    project: options.project,
    url: (service) => `http://127.0.0.1:${ports[service]}`,
    pids: () => Object.fromEntries([...children].map(([name, child]) => [name, child.pid!])),
    children: () => new Map(children),
    stop: async () => {
      await Promise.all([...children.values()].map((child) => stopChild(child)));
      if (typeof output === 'number') closeSync(output);
      // a push subscription left to a dead endpoint keeps the emulator busy
      const cleanup = new PubSub({ projectId: options.project });
      const [subscriptions] = await cleanup.getSubscriptions();
      await Promise.all(subscriptions.map((sub) => sub.delete().catch(() => undefined)));
      await cleanup.close();
    },
  };
}
