import { db } from '../db';
import { catalog, type EventName } from '../events/catalog';
import { pushSubscriptions } from '../topology';
import { DEAD_LETTERS } from './dead-letter';
import { topic } from './pubsub';

export interface ReplayResult {
  replayed: number;
  skipped: { id: number; why: string }[];
}

/**
 * Re-publishes dead letters, unchanged (same data, same event_id), to the topic their consumer
 * subscribes to. Consumers that already processed the event skip it as a duplicate; the one that
 * failed gets it again. Replayed rows are marked, so a replay is never repeated by accident.
 */
export async function replayDeadLetters(filter: { ids?: number[]; consumer?: string }): Promise<ReplayResult> {
  const query = db()(DEAD_LETTERS).whereNull('replayed_at').orderBy('id');
  if (filter.ids) query.whereIn('id', filter.ids);
  if (filter.consumer) query.where({ consumer: filter.consumer });
  const letters = await query;
  const result: ReplayResult = { replayed: 0, skipped: [] };
  for (const letter of letters) {
    const target = pushSubscriptions().find((s) => s.name === letter.consumer)?.topic ?? letter.event_type;
    if (!target || !(target in catalog) || letter.data == null) {
      result.skipped.push({ id: letter.id, why: letter.data == null ? 'no data to replay' : `no topic for ${letter.consumer}` });
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(letter.attributes as Record<string, string>).filter(([k]) => !k.startsWith('CloudPubSubDeadLetter')),
    );
    await topic(target as EventName).publishMessage({ data: Buffer.from(letter.data), attributes });
    await db()(DEAD_LETTERS).where({ id: letter.id }).update({ replayed_at: db().fn.now() });
    result.replayed++;
  }
  return result;
}
