import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { closeDb, db } from '../../shared/db';
import { closePubSub, pubsub } from '../../shared/messaging/pubsub';
import { sweepOutbox } from '../../shared/messaging/relay';
import { hostService, pushEndpoint, type HostedService } from '../../scripts/stack/host';
import type { ServiceName } from '../../shared/topology';
import { ensureDatabase } from '../../scripts/stack/postgres';
import { provisionTopology, removeSubscriptions } from '../../scripts/stack/provision';
import { startProviderSandboxes, type ProviderSandboxes } from '../../scripts/stack/sandboxes';
import { jobs, type JobName } from '../../shared/topology';
import { TEMPLATE_DB } from './stack';
import { checkedClient } from './contract-check';

/**
 * One isolated system per test file: its own database (a copy of the migrated template), its
 * own emulator project with the real topology, and the requested services served in-process
 * through the Functions Framework on free ports, receiving real pushes from the emulator.
 */
export interface TestSystem {
  project: string;
  databaseUrl: string;
  hosts: Partial<Record<ServiceName, HostedService>>;
  /** The payment provider and carrier sandboxes, when payments or shipments are hosted. */
  sandboxes?: ProviderSandboxes;
  http(service: ServiceName): HttpClient;
  /** Runs a scheduled job once, as Cloud Scheduler would (its owning service must be hosted). */
  runJob(job: JobName): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startSystem(services: ServiceName[]): Promise<TestSystem> {
  const id = randomBytes(5).toString('hex');
  const project = `test-${id}`;
  const databaseUrl = await ensureDatabase(adminUrl(), `test_${id}`, TEMPLATE_DB);
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    GOOGLE_CLOUD_PROJECT: project,
    OUTBOX_SWEEP_AFTER_MS: '0',
    DB_POOL_MAX: '20',
  });

  // before any service reads its configuration: the sandboxes set the provider URLs and keys
  const sandboxes = services.some((s) => s === 'payments' || s === 'shipments') ? await startProviderSandboxes({}) : undefined;
  const hosts: Partial<Record<ServiceName, HostedService>> = {};
  for (const service of services) hosts[service] = await hostService(service, 0);
  if (sandboxes?.payments && hosts.payments) sandboxes.payments.webhookUrl = `${hosts.payments.baseUrl}/payments/webhook`;
  await provisionTopology(pubsub(), (sub) => {
    const host = hosts[sub.service];
    return host && pushEndpoint(host, sub.functionName, project, sub.topic);
  });

  return {
    project,
    databaseUrl,
    hosts,
    sandboxes,
    http: (service) =>
      checkedClient(service, httpClient(hosts[service]?.baseUrl ?? fail(`${service} is not hosted in this test`))),
    runJob: async (job) => {
      const host = hosts[jobs[job].service] ?? fail(`${jobs[job].service} is not hosted in this test`);
      const res = await fetch(host.functionUrl(job), { method: 'POST' });
      if (!res.ok) throw new Error(`job ${job} answered ${res.status}`);
      return (await res.json()) as Record<string, number>;
    },
    stop: async () => {
      await removeSubscriptions(pubsub()).catch(() => undefined);
      await sandboxes?.close();
      await Promise.all(Object.values(hosts).map((h) => h.close()));
      await Promise.allSettled([closeDb(), closePubSub()]);
      await dropDatabase(`test_${id}`);
    },
  };
}

const fail = (message: string): never => {
  throw new Error(message);
};

function adminUrl(): string {
  return process.env.SHOPFLOW_TEST_ADMIN_URL ?? fail('run the tests with jest (global setup starts PostgreSQL)');
}

async function dropDatabase(name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  await client.query(`drop database if exists "${name}" with (force)`).finally(() => client.end());
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export type HttpClient = (
  method: string,
  path: string,
  options?: { body?: unknown; raw?: string; headers?: Record<string, string>; customer?: string },
) => Promise<Reply>;

export function httpClient(baseUrl: string): HttpClient {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.customer) headers['x-customer-id'] = options.customer;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until nothing is left unpublished in the outbox and no push is still being handled. */
export async function settle(quietMs = 1_500, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  let lastCount = -1;
  while (Date.now() < deadline) {
    await sweepOutbox();
    const [{ count }] = await db()('messaging.processed_messages').count<{ count: string }[]>('* as count');
    const n = Number(count);
    if (n !== lastCount) {
      lastCount = n;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the system did not settle');
}

/** Publishes a raw message to a topic of this test's project (for duplicates and poison messages). */
export async function publishRaw(topic: string, data: string | Buffer, attributes: Record<string, string> = {}): Promise<string> {
  return pubsub()
    .topic(topic)
    .publishMessage({ data: typeof data === 'string' ? Buffer.from(data) : data, attributes });
}

export interface CapturedMessage {
  id: string;
  data: any;
  attributes: Record<string, string>;
}

/** Collects everything published to a topic from now on (a pull subscription of its own). */
export async function captureTopic(topic: string): Promise<{ messages: CapturedMessage[]; close(): Promise<void> }> {
  const name = `capture-${topic.replace(/[^a-z0-9]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const [subscription] = await pubsub().topic(topic).createSubscription(name);
  const messages: CapturedMessage[] = [];
  subscription.on('message', (m) => {
    messages.push({ id: m.id, data: JSON.parse(m.data.toString('utf8')), attributes: m.attributes });
    m.ack();
  });
  return {
    messages,
    close: async () => {
      await subscription.close();
      await subscription.delete().catch(() => undefined);
    },
  };
}
