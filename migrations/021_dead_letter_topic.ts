import type { Knex } from 'knex';

/**
 * Dead letters: the topic a replay may publish to, set only when the recorder verified it (the
 * consumer wrapper's own topic, or, for what Pub/Sub dead-lettered, a topology subscription whose
 * topic matches the message and whose event is in the outbox with the same data). Null: not replayable.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table messaging.dead_letters add column topic text`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table messaging.dead_letters drop column if exists topic`);
}
