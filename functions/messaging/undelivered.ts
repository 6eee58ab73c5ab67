import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { OUTBOX } from '../../shared/messaging/outbox';
import { backedOff, redriveEach } from '../../shared/messaging/redrive';
import { consumerProgress, queuedFor } from '../../shared/messaging/progress';
import { unconsumedEvents } from '../../shared/messaging/unconsumed';

const BATCH = 200;
/** Only recent events are audited (the dedupe records are kept 8 days; a day bounds the scan). */
const WINDOW_MS = 24 * 3_600_000;

/**
 * The undelivered re-drive (a scheduled job): an event published more than
 * UNDELIVERED_REDRIVE_AFTER_SECONDS ago (or re-driven, and backed off since: redrive.ts) that a consumer of its topic has
 * neither processed nor dead-lettered was lost on the way (a broker that gave up on a backlog, a
 * deleted subscription). So was a dead letter an operator replayed that long ago (`npm run dlq -- replay`)
 * whose consumer has still not processed it: a replay is one more publish, which a broker can drop too;
 * a replay that fails again is a dead letter again (not replayed), which this job leaves alone. An event is only
 * queued, not lost, while its consumer is busy (it processed something in the last UNDELIVERED_REDRIVE_AFTER_SECONDS)
 * and has not yet processed anything published after it: a subscription working through a backlog after an outage.
 * Re-driving those fed every subscription of their topics with copies and held up the ones that were in step
 * (docs/RELIABILITY.md). A lost event is published again with its event_id: the consumers that had it skip a
 * duplicate, the one that lost it processes it. This heals the hops no waiting state watches (the
 * projections, a notification of a step that already finished). After UNDELIVERED_REDRIVE_MAX
 * re-drives the row is surfaced (`stuck_since`, an error log, the re-drive metric).
 */
export async function redriveUndelivered(now = new Date()): Promise<{ redriven: number; surfaced: number }> {
  const { UNDELIVERED_REDRIVE_AFTER_SECONDS, UNDELIVERED_REDRIVE_MAX } = config();
  const before = new Date(now.getTime() - UNDELIVERED_REDRIVE_AFTER_SECONDS * 1000);
  const [backedOffSql, backedOffBindings] = backedOff(now, UNDELIVERED_REDRIVE_AFTER_SECONDS, 'o.');
  // a letter replayed since `before` is still on its way; one replayed earlier and not processed was lost again
  const [unconsumed, unconsumedBindings] = unconsumedEvents({ replayedSince: before });
  const [progress, progressBindings] = consumerProgress(now);
  const [queued, queuedBindings] = queuedFor('s.consumer', 'o.published_at', before);
  const { rows } = await db().raw(
    `with progress as (${progress})
     select o.id, o.redrive_count from ${unconsumed}
        and o.published_at is not null and o.stuck_since is null
        and o.created_at > ?
        and (o.redriven_at is null and o.published_at < ? or ${backedOffSql})
        and not ${queued}
      group by o.id, o.redrive_count
      order by min(o.published_at)
      limit ${BATCH}`,
    [
      ...progressBindings,
      ...unconsumedBindings,
      new Date(now.getTime() - WINDOW_MS),
      before,
      ...backedOffBindings,
      ...queuedBindings,
    ],
  );
  return redriveEach(
    rows as { id: string; redrive_count: number }[],
    (row) => ({
      state: 'event undelivered',
      table: OUTBOX,
      id: row.id,
      redriveCount: row.redrive_count,
      max: UNDELIVERED_REDRIVE_MAX,
      events: async () => [row.id],
      surface: { stuck_since: now },
      still: {},
    }),
    now,
  );
}
