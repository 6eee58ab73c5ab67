import type { Knex } from 'knex';

/**
 * Shipments: one shipment per order (a constraint), its status, the carrier's references, the
 * reconciler's schedule for parked work, and the shipping addresses learnt from order.updated
 * (version-guarded: an older update never overwrites a newer one).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists shipments;

    create table shipments.shipments (
      id uuid primary key,
      order_id uuid not null unique,
      cart_id uuid not null,
      customer_id uuid not null,
      status text not null check (status in ('pending', 'scheduled', 'failed', 'cancelled')),
      carrier text,
      tracking_number text,
      carrier_ref text,
      failure_reason text,
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index shipments_due on shipments.shipments (next_attempt_at) where status = 'pending';

    create table shipments.addresses (
      order_id uuid primary key,
      customer_id uuid not null,
      shipping_address jsonb,
      version integer not null
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists shipments cascade');
}
