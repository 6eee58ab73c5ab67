import type { Knex } from 'knex';

/**
 * The saga's changes to existing schemas: reservations can be `sold` (the order shipped); order
 * history names the service and trace of each step; orders carry a version for order.updated;
 * notifications know the saga's kinds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table inventory.reservations drop constraint reservations_status_check;
    alter table inventory.reservations add constraint reservations_status_check
      check (status in ('reserved', 'sold', 'released'));
    alter table inventory.reservations add column sold_at timestamptz;

    alter table orders.orders add column version integer not null default 1;
    create index orders_awaiting_payment on orders.orders (created_at) where status = 'confirmed';
    alter table orders.status_history add column caused_by_service text;
    alter table orders.status_history add column trace_id text;

    create index outbox_by_correlation on messaging.outbox ((attributes->>'correlation_id'), topic);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists messaging.outbox_by_correlation;
    alter table orders.status_history drop column trace_id;
    alter table orders.status_history drop column caused_by_service;
    drop index if exists orders.orders_awaiting_payment;
    alter table orders.orders drop column version;
    alter table inventory.reservations drop column sold_at;
  `);
}
