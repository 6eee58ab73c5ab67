import { db } from '../db';

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
}

export const DEAD_LETTERS = 'messaging.dead_letters';

/**
 * The dead-letter store: every message a consumer gave up on, with its error and the raw
 * message, so it can be inspected and replayed. One row per consumer and event (or message).
 */
export async function recordDeadLetter(letter: DeadLetter): Promise<void> {
  await db()(DEAD_LETTERS)
    .insert({
      consumer: letter.consumer,
      dedupe_key: letter.eventId ?? letter.messageId ?? 'unknown',
      reason: letter.reason,
      error: letter.error.slice(0, 4000),
      event_id: letter.eventId ?? null,
      event_type: letter.eventType ?? null,
      message_id: letter.messageId ?? null,
      attributes: letter.attributes ?? {},
      data: letter.data ?? null,
      delivery_attempt: letter.deliveryAttempt ?? null,
    })
    .onConflict(['consumer', 'dedupe_key'])
    .merge(['error', 'reason', 'delivery_attempt', 'last_seen_at']);
}

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
