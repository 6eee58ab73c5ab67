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
