import type { Knex } from 'knex';
import { config } from '../config';
import { db, run, statement } from '../db';
import { failpoint } from '../failpoints';
import { log } from '../logger';
import { tracePublish } from '../telemetry/messaging';
import { topic } from './pubsub';

export interface OutboxRow {
  id: string;
  topic: string;
  data: unknown;
  attributes: Record<string, string>;
}

const PUBLISH_TIMEOUT_MS = 15_000;
type Outcome = { published: number; failed: number };

/**
 * The post-commit relay: publishes the rows a transaction just committed, from memory, and has
 * them marked published (markPublished). `verify` (an emit happened inside a savepoint) first
 * looks up which rows really committed: a savepoint that rolled back took its rows with it. It takes no lock: the
 * sweeper only touches rows older than OUTBOX_SWEEP_AFTER_MS, and if both ever publish one row, consumers dedupe
 * on its event_id. Any failure leaves the row (with its error) to the sweeper; it never fails the committed write.
 */
export async function publishCommitted(rows: OutboxRow[], options: { verify: boolean }): Promise<Outcome> {
  try {
    const committed = options.verify ? await stillUnpublished(rows) : rows;
    return await publishAndMark(db(), committed, markPublished);
  } catch (error) {
    log.warn('outbox relay could not finish; rows stay for the sweeper', { error });
    return { published: 0, failed: rows.length };
  }
}

async function stillUnpublished(rows: OutboxRow[]): Promise<OutboxRow[]> {
  const ids = new Set<string>(
    await db()('messaging.outbox')
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .whereNull('published_at')
      .pluck('id'),
  );
  return rows.filter((r) => ids.has(r.id));
}

/**
 * The sweeper: publishes unpublished rows older than `olderThanMs`, locked with
 * FOR UPDATE SKIP LOCKED so any number of sweepers can run at once without publishing a row
 * twice in parallel. A row whose publish fails keeps its error for the next sweep; the
 * event_id never changes.
 */
export async function publishOutbox(selection: { olderThanMs: number; limit: number }): Promise<Outcome> {
  return db().transaction(async (tx) => {
    const rows: OutboxRow[] = await tx('messaging.outbox')
      .select('id', 'topic', 'data', 'attributes')
      .whereNull('published_at')
      .where('created_at', '<', new Date(Date.now() - selection.olderThanMs))
      .orderBy('created_at')
      .limit(selection.limit)
      .forUpdate()
      .skipLocked();
    return rows.length === 0 ? { published: 0, failed: 0 } : publishAndMark(tx, rows);
  });
}

// one statement for any number of ids, planned on each run: its prepared generic plan was 4 times slower (shared/db.ts)
const MARK = statement(
  'messaging.outbox-mark',
  'update messaging.outbox set published_at = now() where id = any($1::uuid[]) and published_at is null',
  { prepared: false },
);
const markIn = (knex: Knex) => async (ids: string[]) => {
  await run(knex, MARK, [ids]);
};

let gathering: { ids: string[]; landed: Promise<void> } | undefined;
let previousMark: Promise<void> = Promise.resolve();

/**
 * Marks rows published, outside a transaction. Marks gather while the previous update runs and go together in the
 * next, so a busy service pays one round trip for many hops and an idle one waits for none. The promise resolves when
 * the update has landed or failed (never rejects): a mark that never lands leaves its rows to the sweeper, which
 * publishes them again with the same event ids, and consumers see a duplicate and skip it.
 */
function markPublished(ids: string[]): Promise<void> {
  if (!gathering) {
    const batch: string[] = [];
    const knex = db(); // the pool of now: a mark that comes after closeDb() fails rather than open a new one
    const landed = previousMark.then(async () => {
      gathering = undefined; // from here on, ids gather for the next update
      try {
        await markIn(knex)(batch);
      } catch (error) {
        log.warn('could not mark published outbox rows; the sweeper will publish them again', { error, rows: batch.length });
      }
    });
    previousMark = landed;
    gathering = { ids: batch, landed };
  }
  gathering.ids.push(...ids);
  return gathering.landed;
}

async function publishAndMark(knex: Knex, rows: OutboxRow[], mark = markIn(knex)): Promise<Outcome> {
  if (rows.length === 0) return { published: 0, failed: 0 };
  const outcomes = await Promise.allSettled(rows.map((row) => tracePublish(row, () => publishOne(row))));
  const published = rows.filter((_, i) => outcomes[i].status === 'fulfilled').map((r) => r.id);
  if (published.length > 0) await failpoint('crash-after-publish');
  if (published.length > 0) await mark(published);
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.status === 'rejected') {
      const error = String((outcome.reason as Error)?.message ?? outcome.reason);
      log.warn('outbox publish failed; the sweeper will retry', { event_id: rows[i].id, topic: rows[i].topic, error });
      await knex('messaging.outbox')
        .where('id', rows[i].id)
        .update({ publish_attempts: knex.raw('publish_attempts + 1'), last_error: error.slice(0, 2000) });
    }
  }
  return { published: published.length, failed: rows.length - published.length };
}

function publishOne(row: OutboxRow): Promise<string> {
  const publish = topic(row.topic).publishMessage({
    data: Buffer.from(JSON.stringify(row.data)),
    attributes: row.attributes,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish to ${row.topic} timed out`)), PUBLISH_TIMEOUT_MS);
  });
  return Promise.race([publish, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes committed outbox rows again exactly as they were first published (same event_id, data
 * and attributes): a re-drive, for a message that was lost or dead-lettered downstream. Consumers
 * that already processed it see a duplicate; the one that never got it processes it now.
 */
export async function republish(eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  const rows: OutboxRow[] = await db()('messaging.outbox').whereIn('id', eventIds).select('id', 'topic', 'data', 'attributes');
  return (await publishAndMark(db(), rows, markPublished)).published;
}

/**
 * Heals a chain downstream of a duplicate: the events that `service` emitted when it first processed
 * `eventId` (their causation_id), published again with their own event ids. A hop that already ran
 * costs its consumer one dedupe; a hop whose message was lost runs now. Rows younger than
 * `minAgeMs` are left alone: the relay has just published them (a concurrent duplicate, not a re-drive).
 */
export async function republishCausedBy(
  service: string,
  eventId: string,
  minAgeMs = config().REDRIVE_MIN_AGE_MS,
): Promise<number> {
  const ids: string[] = await db()('messaging.outbox')
    .where({ service })
    .whereRaw(`attributes->>'causation_id' = ?`, [eventId])
    .where('created_at', '<', new Date(Date.now() - minAgeMs))
    .pluck('id');
  return republish(ids);
}

/** The id of the newest event of a topic for one correlation id (e.g. a cart's last order-requested). */
export async function latestEventId(topicName: string, correlationId: string): Promise<string | undefined> {
  const row = await db()('messaging.outbox')
    .whereRaw(`attributes->>'correlation_id' = ?`, [correlationId])
    .andWhere({ topic: topicName })
    .orderBy('created_at', 'desc')
    .first('id');
  return row?.id;
}

/** The sweeper's job: everything the post-commit relay did not get to (crash, broker down). */
export function sweepOutbox(): Promise<Outcome> {
  const { OUTBOX_SWEEP_AFTER_MS, OUTBOX_SWEEP_BATCH } = config();
  return publishOutbox({ olderThanMs: OUTBOX_SWEEP_AFTER_MS, limit: OUTBOX_SWEEP_BATCH });
}
