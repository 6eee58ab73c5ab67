import { db } from '../db';
import { OUTBOX } from './outbox';

/** What the outbox still has to publish: a count and the oldest row's age, from the partial index on unpublished rows. */
export async function outboxBacklog(): Promise<{ backlog: number; oldestAgeSeconds: number }> {
  const row = await db()(OUTBOX)
    .whereNull('published_at')
    .first(
      db().raw('count(*)::int as backlog'),
      db().raw('coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_age'),
    );
  return { backlog: Number(row?.backlog ?? 0), oldestAgeSeconds: Number(row?.oldest_age ?? 0) };
}
