import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadService } from '../functions';
import { functionsOf } from '../shared/runtime/registry';
import { jobs, services, type JobName, type ServiceName } from '../shared/topology';
import { TFVARS_FILE, terraformTopology } from './terraform-topology';

/**
 * Terraform deploys exactly what terraform/topology.auto.tfvars.json lists. These tests keep that
 * file equal to shared/topology.ts and to the functions the services really register.
 */
const topology = terraformTopology();

describe('terraform topology', () => {
  test('the committed topology.auto.tfvars.json equals what shared/topology.ts generates (run `npm run topology:terraform`)', () => {
    const committed = JSON.parse(readFileSync(TFVARS_FILE, 'utf8'));

    expect(committed).toEqual(topology);
  });

  test('every consumer subscription has a dead-letter topic and at least 5 delivery attempts', () => {
    const consumers = new Set(topology.functions.filter((f) => f.kind === 'consumer').map((f) => f.name));
    const consumerSubscriptions = topology.subscriptions.filter((s) => consumers.has(s.function));

    for (const sub of consumerSubscriptions)
      expect({ sub: sub.name, deadLetterTopic: sub.dead_letter_topic }).toEqual({
        sub: sub.name,
        deadLetterTopic: topology.dead_letter_topic,
      });
    expect(topology.delivery.max_delivery_attempts).toBeGreaterThanOrEqual(5);
    expect(topology.delivery.max_delivery_attempts).toBeLessThanOrEqual(100); // Pub/Sub's limit
  });

  test('only the dead-letter topic’s own subscription lacks a dead-letter policy', () => {
    const withoutPolicy = topology.subscriptions.filter((s) => s.dead_letter_topic === null);

    expect(withoutPolicy.map((s) => s.topic)).toEqual(withoutPolicy.map(() => topology.dead_letter_topic));
  });

  test('every subscription pushes to a deployed function, on a deployed topic', () => {
    const functions = new Set(topology.functions.map((f) => f.name));
    const topics = new Set(topology.topics);

    for (const sub of topology.subscriptions) {
      expect({ sub: sub.name, function: functions.has(sub.function), topic: topics.has(sub.topic) }).toEqual({
        sub: sub.name,
        function: true,
        topic: true,
      });
    }
    expect(topics.has(topology.dead_letter_topic)).toBe(true);
  });

  test('every scheduled job calls a job function', () => {
    const jobFunctions = topology.functions.filter((f) => f.kind === 'job').map((f) => f.name);

    expect(topology.jobs.map((j) => j.function).sort()).toEqual([...jobFunctions].sort());
  });

  test('a service may publish only the topics it produces; the hosts of the republishing jobs republish any event', () => {
    const republishers: string[] = [jobs['outbox-sweeper'].service, jobs['undelivered-redrive'].service];
    const produces = (service: string) => (services[service as ServiceName].produces as readonly string[]) ?? [];

    for (const { topic, services: publishers } of topology.publishers)
      for (const service of publishers)
        expect({ topic, service, allowed: republishers.includes(service) || produces(service).includes(topic) }).toEqual({
          topic,
          service,
          allowed: true,
        });
    expect(topology.publishers.map((p) => p.topic).sort()).toEqual(
      topology.topics.filter((t) => t !== topology.dead_letter_topic).sort(),
    );
  });

  test('every producer may publish its own topics', () => {
    for (const name of Object.keys(services) as ServiceName[])
      for (const topic of services[name].produces as readonly string[])
        expect(topology.publishers.find((p) => p.topic === topic)?.services).toContain(name);
  });

  test('each service’s code emits only events its topology entry produces (the publisher IAM would refuse the others)', () => {
    let found = 0;
    for (const name of Object.keys(services) as ServiceName[]) {
      const folder = path.join(__dirname, '..', 'functions', name);
      const code = existsSync(folder)
        ? readdirSync(folder, { recursive: true, encoding: 'utf8' })
            .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
            .map((f) => readFileSync(path.join(folder, f), 'utf8'))
            .join('\n')
        : '';
      const emitted = [...code.matchAll(/\bemit(?:<[^>]*>)?\(\s*'([a-z.-]+)'/g)].map((m) => m[1]);
      found += emitted.length;
      for (const event of new Set(emitted))
        expect({ service: name, event, produced: (services[name].produces as readonly string[]).includes(event) }).toEqual({
          service: name,
          event,
          produced: true,
        });
    }
    expect(found).toBeGreaterThan(10); // the scan sees the services' emits at all
  });

  test('each scheduled job runs in the service the topology names as its host', () => {
    for (const job of topology.jobs) {
      const fn = topology.functions.find((f) => f.name === job.function);
      expect({ job: job.name, host: fn?.service, service: job.service }).toEqual({
        job: job.name,
        host: jobs[job.name as JobName].service,
        service: jobs[job.name as JobName].service,
      });
    }
  });

  test('names are unique and valid for Cloud Functions, Pub/Sub and service accounts', () => {
    const functionName = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/; // gen2 function (Cloud Run service) names
    const pubsubName = /^(?!goog)[a-zA-Z][a-zA-Z0-9\-_.~+%]{2,254}$/;
    const names = (xs: { name: string }[]) => xs.map((x) => x.name);

    for (const name of names(topology.functions)) expect(name).toMatch(functionName);
    for (const name of [...topology.topics, ...names(topology.subscriptions)]) expect(name).toMatch(pubsubName);
    // terraform names a service's runtime account `<name_prefix>-<service>` (at most 30 characters, prefix ≤ 8)
    for (const name of names(topology.services)) expect(name).toMatch(/^[a-z][a-z0-9-]{2,20}$/);
    for (const list of [names(topology.functions), topology.topics, names(topology.subscriptions), names(topology.jobs)]) {
      expect(new Set(list).size).toBe(list.length);
    }
  });

  test('the functions terraform deploys are exactly the functions the services register', () => {
    // Loading a service registers its functions; its config needs a DATABASE_URL, though nothing connects.
    process.env.DATABASE_URL ??= 'postgres://unused@127.0.0.1:1/unused';
    const registered = topology.services.flatMap(({ name }) => {
      loadService(name as ServiceName);
      return functionsOf(name as ServiceName).map((f) => ({ name: f.name, service: f.service, kind: f.kind }));
    });

    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(registered.sort(byName)).toEqual(
      topology.functions.map((f) => ({ name: f.name, service: f.service, kind: f.kind })).sort(byName),
    );
  });
});
