import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { consumerProgress, queuedFor } from '../../shared/messaging/progress';
import { idleSince, redriveEach, replyNotProduced } from '../../shared/messaging/redrive';
import { consumerFunctionName } from '../../shared/topology';

const NOTIFICATIONS = 'notifications.notifications';
/** Each channel's request topic and the consumer that reads it. */
const CHANNEL_REQUESTS = [
  ['email.requested', consumerFunctionName('email', 'email.requested')],
  ['push.requested', consumerFunctionName('push', 'push.requested')],
] as const;
const REQUEST_TOPICS = CHANNEL_REQUESTS.map(([topic]) => topic);
const BATCH = 100;

/**
 * The notifications re-drive (a scheduled job): a notification still `pending`
 * NOTIFICATION_REDRIVE_AFTER_SECONDS after it was created (or last re-driven) has its
 * email.requested / push.requested published again with the same event_id. The channel sends
 * nothing twice (it dedupes and re-publishes its delivery result, consumer.ts); one whose request
 * was lost sends now. A notification whose channel already published its result is not re-driven:
 * that result is queued, or lost and re-driven by `undelivered-redrive`; nor is one whose request its channel has
 * not reached yet while it works through older ones (shared/messaging/progress.ts). After NOTIFICATION_REDRIVE_MAX re-drives it is surfaced (`stuck_since`, an
 * error log, the metric) and left pending: a channel that parked it during an outage may still deliver it.
 */
export async function redriveNotifications(now = new Date()): Promise<{ redriven: number; surfaced: number }> {
  const { NOTIFICATION_REDRIVE_AFTER_SECONDS, NOTIFICATION_REDRIVE_MAX } = config();
  const busySince = new Date(now.getTime() - NOTIFICATION_REDRIVE_AFTER_SECONDS * 1000);
  const [queued, queuedBindings] = queuedFor(
    `case r.topic ${CHANNEL_REQUESTS.map(() => 'when ? then ?').join(' ')} end`,
    'r.published_at',
    busySince,
  );
  const pending: { id: string; redrive_count: number }[] = await idleSince(
    db()(NOTIFICATIONS)
      .with('progress', db().raw(...consumerProgress(now)))
      .where({ status: 'pending' })
      .whereNull('stuck_since')
      // a channel that already published its result: the result is on its way (or re-driven as undelivered)
      .whereRaw(
        ...replyNotProduced(
          `${NOTIFICATIONS}.id`,
          ['notification.delivered', 'notification.failed'],
          `r.data->>'notification_id'`,
        ),
      )
      // a request its channel has not reached yet, busy with older ones: queued behind a backlog, not lost
      .whereRaw(
        `not exists (select 1 from messaging.outbox r
                      where r.topic = any(?)
                        and r.data->>'notification_id' = ${NOTIFICATIONS}.id::text and ${queued})`,
        [REQUEST_TOPICS, ...CHANNEL_REQUESTS.flat(), ...queuedBindings],
      ),
    now,
    NOTIFICATION_REDRIVE_AFTER_SECONDS,
  )
    .orderBy('updated_at')
    .limit(BATCH)
    .select('id', 'redrive_count');
  return redriveEach(
    pending,
    (n) => ({
      state: 'notification pending',
      table: NOTIFICATIONS,
      id: n.id,
      redriveCount: n.redrive_count,
      max: NOTIFICATION_REDRIVE_MAX,
      events: () => channelRequests(n.id),
      surface: { stuck_since: now },
      still: { status: 'pending' },
    }),
    now,
  );
}

const channelRequests = (notificationId: string): Promise<string[]> =>
  db()('messaging.outbox')
    .whereIn('topic', REQUEST_TOPICS)
    .whereRaw(`data->>'notification_id' = ?`, [notificationId])
    .pluck('id');
