import { db } from '../db';
import { catalog, type EventName } from '../events/catalog';
import { DEAD_LETTERS } from './dead-letter';
import { topic } from './pubsub';

export interface ReplayResult {
  replayed: number;
  skipped: { id: number; why: string }[];
}

/**
 * Re-publishes dead letters, unchanged (same data, same event_id), to the topic the recorder
 * verified for them (dead-letter.ts: the consumer's own topic, or a topology subscription whose
 * event the outbox produced). A letter without a verified topic is never published: its source was
 * chosen by its sender. Consumers that already processed the event skip it as a duplicate; the one
 * that failed gets it again. Replayed rows are marked, so a replay is never repeated by accident.
 */
export async function replayDeadLetters(filter: { ids?: number[]; consumer?: string }): Promise<ReplayResult> {
  const query = db()(DEAD_LETTERS).whereNull('replayed_at').orderBy('id');
  if (filter.ids) query.whereIn('id', filter.ids);
  if (filter.consumer) query.where({ consumer: filter.consumer });
  const letters = await query;
  const result: ReplayResult = { replayed: 0, skipped: [] };
  for (const letter of letters) {
    const why = unreplayable(letter);
    if (why) {
      result.skipped.push({ id: Number(letter.id), why });
      continue;
    }
    const attributes = Object.fromEntries(
      Object.entries(letter.attributes as Record<string, string>).filter(([k]) => !k.startsWith('CloudPubSubDeadLetter')),
    );
    await topic(letter.topic as EventName).publishMessage({ data: Buffer.from(letter.data), attributes });
    await db()(DEAD_LETTERS).where({ id: letter.id }).update({ replayed_at: db().fn.now() });
    result.replayed++;
  }
  return result;
}

function unreplayable(letter: { topic: string | null; data: string | null }): string | undefined {
  if (letter.data == null) return 'no data to replay';
  if (letter.topic == null) return 'its source was not verified (not a topology subscription, or not an event we produced)';
  if (!(letter.topic in catalog)) return `unknown topic ${letter.topic}`;
  return undefined;
}
