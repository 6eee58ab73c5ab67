import { db } from '../db';
import { pushSubscriptions } from '../topology';
import { OUTBOX } from './outbox';
import { pubsub } from './pubsub';
import { republish } from './relay';

/** Only recent events are resent (the dedupe records are kept 8 days; a day bounds the scan). */
const WINDOW_MS = 24 * 3_600_000;
const CHUNK = 500;

export interface ResyncResult {
  consumer: string;
  topic: string;
  republished: number;
}

/**
 * Brings one consumer's push subscription back in step with the outbox, for a subscription far
 * behind: its backlog is dropped (a seek to now), then every event of its topic from the last day
 * that the consumer has neither processed nor dead-lettered is published again with its event_id
 * (the other consumers of the topic skip a duplicate). The outbox, not the broker, is the record
 * of what was sent, so nothing is lost. Why: the emulator delivers a subscription with thousands of
 * messages on retry backoff at about 2 a second, new ones included, for as long as they stay
 * (docs/RELIABILITY.md); on Google Cloud, it also clears a backlog after an outage faster than
 * retries do.
 */
export async function resyncSubscription(consumer: string, now = new Date()): Promise<ResyncResult> {
  const subscription = pushSubscriptions().find((s) => s.name === consumer && s.deadLetterTopic !== null);
  if (!subscription) throw new Error(`${consumer} is not a consumer of the topology`);
  await pubsub().subscription(consumer).seek(now);
  const ids: string[] = await db()(`${OUTBOX} as o`)
    .where({ 'o.topic': subscription.topic })
    .whereNotNull('o.published_at')
    .where('o.created_at', '>', new Date(now.getTime() - WINDOW_MS))
    .where('o.published_at', '<', now)
    .whereNotExists((q) =>
      q.from('messaging.processed_messages as p').where('p.consumer', consumer).whereRaw('p.event_id = o.id'),
    )
    .whereNotExists((q) =>
      q
        .from('messaging.dead_letters as d')
        .where('d.consumer', consumer)
        .whereRaw('d.event_id = o.id')
        .whereNull('d.replayed_at'),
    )
    .orderBy('o.published_at')
    .pluck('o.id');
  let republished = 0;
  for (let i = 0; i < ids.length; i += CHUNK) republished += await republish(ids.slice(i, i + CHUNK));
  return { consumer, topic: subscription.topic, republished };
}
