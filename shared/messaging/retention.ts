import { config } from '../config';
import { db } from '../db';
import { IDEMPOTENCY_KEYS } from '../http/idempotency';
import { PROCESSED_MESSAGES } from './consumer';
import { OUTBOX } from './outbox';

/**
 * Prunes dedupe records, published outbox rows and Idempotency-Keys older than RETENTION_DAYS,
 * which the config forces to exceed the subscriptions' 7-day message retention: a message Pub/Sub
 * may still redeliver always finds its processed_messages row.
 */
export async function pruneMessaging(now = new Date()): Promise<{ processed: number; outbox: number; idempotency_keys: number }> {
  const cutoff = new Date(now.getTime() - config().RETENTION_DAYS * 24 * 3600 * 1000);
  const processed = await db()(PROCESSED_MESSAGES).where('processed_at', '<', cutoff).delete();
  const outbox = await db()(OUTBOX).whereNotNull('published_at').where('published_at', '<', cutoff).delete();
  const idempotency_keys = await db()(IDEMPOTENCY_KEYS).where('created_at', '<', cutoff).delete();
  return { processed, outbox, idempotency_keys };
}
