import { OUTBOX } from './outbox';

/** How far back a consumer's progress is read: one that processed nothing in it counts as idle. */
const PROGRESS_WINDOW_MS = 3_600_000;

/**
 * A query of each consumer's progress, to be named `progress` in a WITH clause: the newest publish time among the
 * events it processed lately (how far through its subscription it has got) and when it last processed one.
 */
export const consumerProgress = (now: Date): [string, unknown[]] => [
  `select p.consumer, max(e.published_at) as passed, max(p.processed_at) as last_processed
     from messaging.processed_messages p join ${OUTBOX} e on e.id = p.event_id
    where p.processed_at > ?
    group by p.consumer`,
  [new Date(now.getTime() - PROGRESS_WINDOW_MS)],
];

/**
 * SQL condition over `progress`: an event published at `publishedAt` is queued, not lost, for `consumer` (both SQL
 * expressions) while that consumer is busy (it processed something since `busySince`) and has not yet processed
 * anything published after it: a subscription working through a backlog after an outage. Re-driving such an
 * event only adds copies to the queue it waits in, and to every other subscription of its topic.
 */
export const queuedFor = (consumer: string, publishedAt: string, busySince: Date): [string, unknown[]] => [
  `exists (select 1 from progress g where g.consumer = ${consumer} and g.last_processed >= ? and g.passed <= ${publishedAt})`,
  [busySince],
];
