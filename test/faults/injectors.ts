import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import { pubsub } from '../../shared/messaging/pubsub';
import { pushSubscriptions, type ServiceName } from '../../shared/topology';
import { sleep } from './client';
import type { FaultStack } from './stack';

/**
 * The faults injected from outside the services (crash points fire inside them, shared/failpoints.ts).
 * Each returns when the fault is lifted; `injected` counts them by kind and `outages` records when
 * each outage was lifted, for the recovery times.
 */
export interface Injected {
  injected: Record<string, number>;
  outages: { kind: string; startedAt: number; liftedAt: number }[];
  poison: { messageId: string; eventId: string; topic: string }[];
}

const say = (line: string) => process.stdout.write(`[faults] ${line}\n`);

export function injectors(stack: FaultStack) {
  const state: Injected = { injected: {}, outages: [], poison: [] };
  const count = (kind: string, n = 1) => (state.injected[kind] = (state.injected[kind] ?? 0) + n);
  const outage = async (kind: string, ms: number, down: () => Promise<void> | void, up: () => Promise<void> | void) => {
    const startedAt = Date.now();
    say(`${kind} for ${ms / 1000} s`);
    await down();
    count(kind);
    await sleep(ms);
    await up();
    state.outages.push({ kind, startedAt, liftedAt: Date.now() });
    say(`${kind}: lifted after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  };

  return {
    state,

    /** Committed events published again with their event_id, a batch in reverse order (duplicated and reordered). */
    async duplicates(batch: number): Promise<void> {
      const rows = await db()('messaging.outbox')
        .whereNotNull('published_at')
        .where('created_at', '<', new Date(Date.now() - 3_000))
        .orderByRaw('random()')
        .limit(batch)
        .select('topic', 'data', 'attributes', 'created_at')
        .catch(() => []);
      rows.sort((a, b) => b.created_at - a.created_at); // newest first: each consumer meets them out of order
      for (const row of rows) {
        const copies = Math.random() < 0.3 ? 2 : 1; // sometimes two copies at once (parallel redelivery)
        await Promise.all(
          Array.from({ length: copies }, () =>
            pubsub()
              .topic(row.topic)
              .publishMessage({ data: Buffer.from(JSON.stringify(row.data)), attributes: row.attributes })
              .then(() => count('duplicated delivery')),
          ),
        ).catch(() => undefined);
      }
      if (rows.length > 1) count('reordered batch');
    },

    /** A message no consumer can ever process, on every subscription: not JSON, and a payload its schema refuses. */
    async poison(): Promise<void> {
      const topics = [
        ...new Set(
          pushSubscriptions()
            .filter((s) => s.deadLetterTopic)
            .map((s) => s.topic),
        ),
      ];
      for (const topic of topics) {
        const attributes = {
          event_id: randomUUID(),
          event_type: topic,
          event_version: '1',
          occurred_at: new Date().toISOString(),
          correlation_id: 'poison',
        };
        for (const data of ['not json', JSON.stringify({ poison: true })]) {
          const eventId = randomUUID();
          const messageId = await pubsub()
            .topic(topic)
            .publishMessage({ data: Buffer.from(data), attributes: { ...attributes, event_id: eventId } });
          state.poison.push({ messageId, eventId, topic });
          count('poison message');
        }
      }
    },

    postgresDown: (ms: number) => outage('PostgreSQL down', ms, stack.stopPostgres, stack.startPostgres),

    /** The emulator frozen (SIGSTOP) and resumed (SIGCONT): unreachable, its state kept. */
    brokerPaused: (ms: number) =>
      outage(
        'broker paused',
        ms,
        () => void process.kill(stack.emulator.pid!, 'SIGSTOP'),
        () => void process.kill(stack.emulator.pid!, 'SIGCONT'),
      ),

    serviceKilled: (service: ServiceName, ms: number) =>
      outage(
        `${service} killed`,
        ms,
        () => stack.kill(service),
        () => stack.revive(service),
      ),

    paymentProviderDown: (ms: number) =>
      outage(
        'payment provider down',
        ms,
        () => void (stack.sandboxes.payments!.down = true),
        () => void (stack.sandboxes.payments!.down = false),
      ),

    carrierDown: (ms: number) =>
      outage(
        'carrier down',
        ms,
        () => void (stack.sandboxes.carrier!.down = true),
        () => void (stack.sandboxes.carrier!.down = false),
      ),

    smtpDown: (ms: number) => outage('SMTP server down', ms, stack.smtp.stop, stack.smtp.start),
  };
}
