import { db } from '../db';
import { pushSubscriptions } from '../topology';
import { pubsub } from './pubsub';
import { republish } from './relay';
import { unconsumedEvents } from './unconsumed';

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
  const [unconsumed, bindings] = unconsumedEvents('unreplayed', [consumer]);
  const { rows } = await db().raw(
    `select o.id from ${unconsumed}
        and o.published_at is not null and o.created_at > ? and o.published_at < ?
      order by o.published_at`,
    [...bindings, new Date(now.getTime() - WINDOW_MS), now],
  );
  const ids = (rows as { id: string }[]).map((r) => r.id);
  let republished = 0;
  for (let i = 0; i < ids.length; i += CHUNK) republished += await republish(ids.slice(i, i + CHUNK));
  return { consumer, topic: subscription.topic, republished };
}
