import { db } from '../db';
import { pushSubscriptions } from '../topology';
import { hasNul } from '../text';
import { OUTBOX } from './outbox';

export type DeadLetterReason = 'undecodable' | 'invalid' | 'permanent' | 'max_attempts';

export interface DeadLetter {
  consumer: string;
  reason: DeadLetterReason;
  error: string;
  eventId?: string;
  eventType?: string;
  messageId?: string;
  attributes?: Record<string, string>;
  data?: string;
  deliveryAttempt?: number;
  /** The topic a replay republishes to, only when verified (see verifiedTopic); undefined: not replayable. */
  topic?: string;
}

export const DEAD_LETTERS = 'messaging.dead_letters';

/**
 * The dead-letter store: every message a consumer gave up on, with its error and the raw
 * message, so it can be inspected and replayed. One row per consumer and event (or message).
 */
export async function recordDeadLetter(letter: DeadLetter): Promise<void> {
  await db()(DEAD_LETTERS)
    .insert({
      consumer: storable(letter.consumer),
      dedupe_key: storable(letter.eventId ?? letter.messageId ?? 'unknown'),
      reason: letter.reason,
      error: storable(letter.error).slice(0, 4000),
      event_id: letter.eventId ?? null,
      event_type: letter.eventType === undefined ? null : storable(letter.eventType),
      message_id: letter.messageId === undefined ? null : storable(letter.messageId),
      attributes: Object.fromEntries(Object.entries(letter.attributes ?? {}).map(([k, v]) => [storable(k), storable(v)])),
      data: letter.data === undefined ? null : storable(letter.data),
      delivery_attempt: letter.deliveryAttempt ?? null,
      topic: letter.topic ?? null,
    })
    .onConflict(['consumer', 'dedupe_key'])
    // a letter that fails again after a replay becomes replayable again
    .merge({
      error: storable(letter.error).slice(0, 4000),
      reason: letter.reason,
      delivery_attempt: letter.deliveryAttempt ?? null,
      last_seen_at: db().fn.now(),
      replayed_at: null,
      // a verification made once stays (the stored data is never replaced by a later copy)
      topic: db().raw('coalesce(excluded.topic, messaging.dead_letters.topic)'),
    });
}

/**
 * The topic a dead letter from the dead-letter topic may be replayed to. Its source subscription and
 * attributes are chosen by whoever published it, so it is believed only if all of these hold: the
 * subscription is a consumer of the topology, the message's event_type is that subscription's topic,
 * and the outbox holds that event_id on that topic with the same data (we produced it). Otherwise
 * undefined: the letter is stored for inspection but never replayed.
 */
export async function verifiedTopic(letter: Pick<DeadLetter, 'consumer' | 'eventId' | 'eventType' | 'data'>) {
  const subscription = pushSubscriptions().find((s) => s.name === letter.consumer && s.deadLetterTopic !== null);
  if (!subscription || letter.eventType !== subscription.topic || !letter.eventId) return undefined;
  if (letter.data === undefined || hasNul(letter.data)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(letter.data);
  } catch {
    return undefined;
  }
  const produced = await db()(OUTBOX)
    .where({ id: letter.eventId, topic: subscription.topic })
    .whereRaw('data = ?::jsonb', [JSON.stringify(data)])
    .first('id');
  return produced ? subscription.topic : undefined;
}

/**
 * PostgreSQL text cannot hold NUL; the store must keep anything, so NUL is written as the
 * six characters `\u0000` (a replay then carries that text, which its consumer refuses again).
 */
const storable = (text: string): string => text.replaceAll('\u0000', '\\u0000');

export const DELIVERY_FAILURES = 'messaging.delivery_failures';

/** Remembers the last transient error of a delivery, so a message Pub/Sub dead-letters later keeps its error. */
export async function recordFailure(consumer: string, eventId: string, error: string): Promise<void> {
  await db()(DELIVERY_FAILURES)
    .insert({ consumer, event_id: eventId, last_error: error.slice(0, 4000) })
    .onConflict(['consumer', 'event_id'])
    .merge({
      attempts: db().raw('messaging.delivery_failures.attempts + 1'),
      last_error: error.slice(0, 4000),
      last_failed_at: db().fn.now(),
    });
}

export async function lastFailure(
  consumer: string,
  eventId: string,
): Promise<{ attempts: number; last_error: string } | undefined> {
  return db()(DELIVERY_FAILURES).where({ consumer, event_id: eventId }).first('attempts', 'last_error');
}
