import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { RegisteredFunction } from '../shared/runtime/registry';
import {
  apiFunctionName,
  consumerFunctionName,
  delivery,
  jobs,
  pushSubscriptions,
  serviceNames,
  services,
  topicNames,
  type JobName,
  type ServiceName,
} from '../shared/topology';
import { DEAD_LETTER_TOPIC, type EventName } from '../shared/events/catalog';

/**
 * Turns shared/topology.ts into terraform/topology.auto.tfvars.json, the only input terraform has
 * about services, functions, topics, subscriptions and jobs. `tsx scripts/terraform-topology.ts`
 * writes the file; `--check` fails when the committed file is stale (the unit test does the same).
 */
const root = path.resolve(__dirname, '..');
export const TFVARS_FILE = path.join(root, 'terraform', 'topology.auto.tfvars.json');

/**
 * Jobs that republish any service's events with their original event_id (the outbox sweeper: rows the
 * relay could not publish after the commit; the undelivered re-drive: events no consumer took): the
 * service hosting them may publish to every event topic, not only to its own.
 */
const REPUBLISHING_JOBS: readonly JobName[] = ['outbox-sweeper', 'undelivered-redrive'];

export type FunctionKind = RegisteredFunction['kind'];

export interface TerraformTopology {
  services: { name: string; has_api: boolean }[];
  functions: { name: string; service: string; kind: FunctionKind; entry_point: string; source: string }[];
  topics: string[];
  dead_letter_topic: string;
  subscriptions: { name: string; topic: string; function: string; dead_letter_topic: string | null }[];
  /** Per topic, the services whose runtime account may publish to it: its producers, and the hosts of republishing jobs. */
  publishers: { topic: string; services: string[] }[];
  delivery: {
    ack_deadline_seconds: number;
    min_backoff_seconds: number;
    max_backoff_seconds: number;
    max_delivery_attempts: number;
    message_retention_seconds: number;
  };
  jobs: { name: string; service: string; function: string; schedule: string }[];
}

/** A service has an HTTP API function (`<service>-api`) when it has the conventional `api.ts`. */
const hasApi = (service: ServiceName) => existsSync(path.join(root, 'functions', service, 'api.ts'));

const consumers = (service: ServiceName): string[] =>
  services[service].consumes.map((event: EventName) => consumerFunctionName(service, event));

/** The module a function's service registers it in, relative to the deployed source root (FUNCTION_SOURCE). */
const functionSource = (service: ServiceName) => `dist/functions/${service}/index.js`;

const jobNames = Object.keys(jobs) as JobName[];

/** Who may publish each event topic. The dead-letter topic has no service publisher (only Pub/Sub's service agent). */
function publishers(): TerraformTopology['publishers'] {
  const republishers = REPUBLISHING_JOBS.map((job) => jobs[job].service);
  return topicNames()
    .filter((topic) => topic !== DEAD_LETTER_TOPIC)
    .map((topic) => {
      // Not producerOf(): notification.delivered/failed have two producers (email and push).
      const producers = serviceNames.filter((s) => (services[s].produces as readonly string[]).includes(topic));
      return { topic, services: [...new Set([...producers, ...republishers])].sort() };
    });
}

export function terraformTopology(): TerraformTopology {
  const subscriptions = pushSubscriptions();
  const fn = (name: string, service: ServiceName, kind: FunctionKind) => ({
    name,
    service,
    kind,
    entry_point: name,
    source: functionSource(service),
  });
  const functions = serviceNames.flatMap((service) => [
    ...(hasApi(service) ? [fn(apiFunctionName(service), service, 'api')] : []),
    ...subscriptions
      .filter((sub) => sub.service === service)
      .map((sub) => fn(sub.functionName, service, consumers(service).includes(sub.functionName) ? 'consumer' : 'push-endpoint')),
    ...jobNames.filter((job) => jobs[job].service === service).map((job) => fn(job, service, 'job')),
  ]);
  return {
    services: serviceNames.map((name) => ({ name, has_api: hasApi(name) })),
    functions: functions.filter((f, i) => functions.findIndex((g) => g.name === f.name) === i),
    topics: topicNames(),
    dead_letter_topic: DEAD_LETTER_TOPIC,
    subscriptions: subscriptions.map((sub) => ({
      name: sub.name,
      topic: sub.topic,
      function: sub.functionName,
      dead_letter_topic: sub.deadLetterTopic,
    })),
    publishers: publishers(),
    delivery: {
      ack_deadline_seconds: delivery.ackDeadlineSeconds,
      min_backoff_seconds: delivery.minBackoffSeconds,
      max_backoff_seconds: delivery.maxBackoffSeconds,
      max_delivery_attempts: delivery.maxDeliveryAttempts,
      message_retention_seconds: delivery.messageRetentionSeconds,
    },
    jobs: jobNames.map((name) => ({ name, service: jobs[name].service, function: name, schedule: jobs[name].schedule })),
  };
}

/** The file's text, formatted by the repo's prettier settings so `npm run format:check` agrees with it. */
export async function renderTfvars(topology: TerraformTopology = terraformTopology()): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(TFVARS_FILE)) ?? {};
  return prettier.format(JSON.stringify(topology, null, 2), { ...options, filepath: TFVARS_FILE });
}

/** The top-level keys where the committed file and the topology disagree (all of them when the file is missing or unreadable). */
export function staleKeys(expected: TerraformTopology = terraformTopology()): string[] {
  let committed: Record<string, unknown> = {};
  try {
    committed = JSON.parse(readFileSync(TFVARS_FILE, 'utf8'));
  } catch {
    // missing or not JSON: every key is stale
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(committed)]);
  return [...keys].filter((k) => !isDeepStrictEqual(committed[k], (expected as unknown as Record<string, unknown>)[k]));
}

async function main(): Promise<void> {
  const relative = path.relative(process.cwd(), TFVARS_FILE);
  if (process.argv.includes('--check')) {
    const stale = staleKeys();
    if (stale.length > 0) {
      process.stderr.write(
        `${relative} is out of date with shared/topology.ts (differs in: ${stale.join(', ')}).\n` +
          'Run `npm run topology:terraform` and commit the result.\n',
      );
      process.exit(1);
    }
    process.stdout.write(`${relative} matches shared/topology.ts\n`);
    return;
  }
  writeFileSync(TFVARS_FILE, await renderTfvars());
  process.stdout.write(`wrote ${relative}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`topology:terraform failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
