import type { Knex } from 'knex';

/**
 * Cart re-drives: how often a cart stuck in `processing` had its order-requested re-published
 * (same event_id), when last, and since when it is surfaced as stuck (past the bound).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table cart.carts add column redrive_count integer not null default 0;
    alter table cart.carts add column redriven_at timestamptz;
    alter table cart.carts add column stuck_since timestamptz;
    create index carts_processing on cart.carts (updated_at) where status = 'processing';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists cart.carts_processing;
    alter table cart.carts drop column stuck_since;
    alter table cart.carts drop column redriven_at;
    alter table cart.carts drop column redrive_count;
  `);
}
