import type { Knex } from 'knex';
import { db } from '../db';
import { log } from '../logger';
import { countRedrive } from '../telemetry/redrive-metrics';
import { republish } from './relay';

/**
 * One step of a reconciler for a state that waits on an event (a cart `processing`, an order
 * waiting for payment or shipment, a notification `pending`): the item's own events are
 * published again with their SAME event ids — harmless when the first copies were only slow
 * (consumers dedupe, and re-drive the rest of the chain: consumer.ts) — and counted on the row.
 * Once `max` re-drives have not helped, the item is surfaced instead: `surface` marks it for an
 * operator, an error is logged and the `shopflow.redrives` metric counts it.
 */
export interface Waiting {
  /** The waiting state, for logs and metrics (e.g. `cart processing`). */
  state: string;
  table: string;
  id: string;
  redriveCount: number;
  max: number;
  /** The item's own events to publish again. */
  events: () => Promise<string[]>;
  /** What surfacing writes on the row (e.g. `{ stuck_since: now }`). */
  surface: Record<string, unknown>;
  /** Conditions the row must still meet (e.g. `{ status: 'processing' }`): a row that moved on is left alone. */
  still: Record<string, unknown>;
}

export type RedriveOutcome = 'redriven' | 'surfaced' | 'skipped';

export async function redriveOrSurface(item: Waiting, now = new Date(), knex: Knex = db()): Promise<RedriveOutcome> {
  const fields = { waiting_state: item.state, id: item.id, redrive_count: item.redriveCount };
  if (item.redriveCount >= item.max) {
    const surfaced = await knex(item.table)
      .where({ id: item.id, ...item.still })
      .update(item.surface);
    if (!surfaced) return 'skipped';
    log.error('still waiting after every re-drive; an operator should look', fields);
    countRedrive(item.state, 'surfaced');
    return 'surfaced';
  }
  const claimed = await knex(item.table)
    .where({ id: item.id, ...item.still, redrive_count: item.redriveCount })
    .update({ redrive_count: item.redriveCount + 1, redriven_at: now });
  if (!claimed) return 'skipped'; // moved on, or another reconciler took it
  const events = await item.events();
  const published = await republish(events);
  log.warn('re-driven: its events published again with their event ids', { ...fields, event_ids: events, published });
  countRedrive(item.state, 'redriven');
  return 'redriven';
}

/** The wait before each further re-drive doubles, up to this many times the first wait. */
export const REDRIVE_BACKOFF_CAP = 8;

/**
 * SQL condition: a row re-driven n times was last re-driven `afterSeconds` × 2^n ago (2×, 4×, 8×, then
 * 8× again); `column` prefixes its redriven_at and redrive_count when the query joins (e.g. `o.`).
 */
export const backedOff = (now: Date, afterSeconds: number, column = ''): [string, unknown[]] => [
  `${column}redriven_at < ?::timestamptz - (? * power(2, least(${column}redrive_count, ?))) * interval '1 second'`,
  [now, afterSeconds, Math.log2(REDRIVE_BACKOFF_CAP)],
];

/**
 * Rows due for a re-drive at `now`: unchanged for `afterSeconds` and never re-driven, or backed off
 * since their last re-drive. A long outage of a provider leaves many rows waiting at once; re-driving
 * each of them every `afterSeconds` flooded the broker with duplicates while nothing was lost
 * (docs/RELIABILITY.md).
 */
export const idleSince = (query: Knex.QueryBuilder, now: Date, afterSeconds: number): Knex.QueryBuilder =>
  query.where((q) =>
    q
      .whereRaw(...backedOff(now, afterSeconds))
      .orWhere((q2) => q2.whereNull('redriven_at').where('updated_at', '<', new Date(now.getTime() - afterSeconds * 1000))),
  );

/**
 * SQL condition: the outbox holds none of `topics` whose `key` (an expression on the outbox row `r`,
 * e.g. its correlation id) is `id` (a column of the waiting row). Once the reply a row waits for was
 * produced, nothing upstream of it is lost; if the reply is lost on its way, `undelivered-redrive`
 * sends it again. Re-driving the row then only added copies to a backlog it was queued in.
 */
export const replyNotProduced = (
  id: string,
  topics: readonly string[],
  key = `r.attributes->>'correlation_id'`,
): [string, unknown[]] => [
  `not exists (select 1 from messaging.outbox r where ${key} = ${id}::text and r.topic = any(?))`,
  [topics],
];

/** Re-drives (or surfaces) each waiting row in turn; the job's answer counts both. */
export async function redriveEach<Row>(
  rows: Row[],
  waiting: (row: Row) => Waiting,
  now = new Date(),
): Promise<{ redriven: number; surfaced: number }> {
  const outcomes: RedriveOutcome[] = [];
  for (const row of rows) outcomes.push(await redriveOrSurface(waiting(row), now));
  return {
    redriven: outcomes.filter((o) => o === 'redriven').length,
    surfaced: outcomes.filter((o) => o === 'surfaced').length,
  };
}
