import type { Knex } from 'knex';

/**
 * Undelivered events: an outbox row that some consumer of its topic has neither processed nor
 * dead-lettered long after it was published is published again (the `undelivered-redrive` job);
 * the row counts those re-drives, and since when it is surfaced as stuck (past the bound).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table messaging.outbox add column redrive_count integer not null default 0;
    alter table messaging.outbox add column redriven_at timestamptz;
    alter table messaging.outbox add column stuck_since timestamptz;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table messaging.outbox drop column stuck_since;
    alter table messaging.outbox drop column redriven_at;
    alter table messaging.outbox drop column redrive_count;
  `);
}
