import { config } from '../config';
import { db } from '../db';
import { log } from '../logger';
import { tracePublish } from '../telemetry/messaging';
import { topic } from './pubsub';

interface OutboxRow {
  id: string;
  topic: string;
  data: unknown;
  attributes: Record<string, string>;
}

export type OutboxSelection = { ids: string[] } | { olderThanMs: number; limit: number };

const PUBLISH_TIMEOUT_MS = 15_000;

/**
 * Publishes unpublished outbox rows and marks them published. Rows are locked with
 * FOR UPDATE SKIP LOCKED, so the post-commit relay and any number of sweepers can run at
 * once without publishing a row twice in parallel. A row whose publish fails stays
 * unpublished (with the error) for the next sweep; the event_id never changes.
 */
export async function publishOutbox(selection: OutboxSelection): Promise<{ published: number; failed: number }> {
  try {
    return await db().transaction(async (tx) => {
      const query = tx<OutboxRow>('messaging.outbox')
        .select('id', 'topic', 'data', 'attributes')
        .whereNull('published_at')
        .orderBy('created_at')
        .forUpdate()
        .skipLocked();
      const rows =
        'ids' in selection
          ? await query.whereIn('id', selection.ids)
          : await query.where('created_at', '<', new Date(Date.now() - selection.olderThanMs)).limit(selection.limit);
      if (rows.length === 0) return { published: 0, failed: 0 };

      const outcomes = await Promise.allSettled(rows.map((row) => tracePublish(row, () => publishOne(row))));
      const published = rows.filter((_, i) => outcomes[i].status === 'fulfilled').map((r) => r.id);
      if (published.length > 0) {
        await tx('messaging.outbox').whereIn('id', published).update({ published_at: tx.fn.now() });
      }
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'rejected') {
          const error = String((outcome.reason as Error)?.message ?? outcome.reason);
          log.warn('outbox publish failed; the sweeper will retry', { event_id: rows[i].id, topic: rows[i].topic, error });
          await tx('messaging.outbox')
            .where('id', rows[i].id)
            .update({ publish_attempts: tx.raw('publish_attempts + 1'), last_error: error.slice(0, 2000) });
        }
      }
      return { published: published.length, failed: rows.length - published.length };
    });
  } catch (error) {
    // The business transaction has already committed; the sweeper owns whatever is left.
    log.warn('outbox relay could not run; rows stay for the sweeper', { error });
    return { published: 0, failed: 'ids' in selection ? selection.ids.length : 0 };
  }
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

/** The sweeper's job: everything the post-commit relay did not get to (crash, broker down). */
export function sweepOutbox(): Promise<{ published: number; failed: number }> {
  const { OUTBOX_SWEEP_AFTER_MS, OUTBOX_SWEEP_BATCH } = config();
  return publishOutbox({ olderThanMs: OUTBOX_SWEEP_AFTER_MS, limit: OUTBOX_SWEEP_BATCH });
}
