import { pushSubscriptions } from '../topology';
import { OUTBOX } from './outbox';

/**
 * Which dead letters account for an event: `any` letter (I4's reading: processed or in the dead-letter store),
 * only an `unreplayed` one (a replayed letter is waiting again), or one unreplayed or replayed since a time (that
 * replay is still on its way; an earlier one that was not processed was lost again).
 */
export type LetterRule = 'any' | 'unreplayed' | { replayedSince: Date };

/**
 * The FROM and WHERE of a query over the events each consumer has neither processed nor has a dead letter for: the
 * outbox as `o`, each consumer of its topic as `s(topic, consumer)`. Callers add their own `and …` conditions
 * (and bindings) after it. `consumers` are subscription names; every consumer of the topology by default.
 */
export function unconsumedEvents(letters: LetterRule, consumers?: readonly string[]): [string, unknown[]] {
  const subs = pushSubscriptions().filter((s) => s.deadLetterTopic && (!consumers || consumers.includes(s.name)));
  if (subs.length === 0) throw new Error(`no consumer of the topology among ${consumers?.join(', ')}`);
  const letter =
    letters === 'any'
      ? ''
      : letters === 'unreplayed'
        ? ' and d.replayed_at is null'
        : ' and (d.replayed_at is null or d.replayed_at >= ?)';
  return [
    `${OUTBOX} o join (values ${subs.map(() => '(?, ?)').join(', ')}) as s(topic, consumer) on s.topic = o.topic
      where not exists (select 1 from messaging.processed_messages p where p.consumer = s.consumer and p.event_id = o.id)
        and not exists (select 1 from messaging.dead_letters d where d.consumer = s.consumer and d.event_id = o.id${letter})`,
    [...subs.flatMap((s) => [s.topic, s.name]), ...(typeof letters === 'object' ? [letters.replayedSince] : [])],
  ];
}
