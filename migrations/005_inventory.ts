import type { Knex } from 'knex';

/**
 * Inventory: available / reserved / sold per SKU, never negative (I1); one reservation per cart
 * (I2), released at most once (status guard).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists inventory;

    create table inventory.stock (
      product_sku text primary key,
      available integer not null check (available >= 0),
      reserved integer not null default 0 check (reserved >= 0),
      sold integer not null default 0 check (sold >= 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table inventory.reservations (
      id uuid primary key,
      cart_id uuid not null unique,
      customer_id uuid not null,
      status text not null check (status in ('reserved', 'released')),
      order_id uuid,
      created_at timestamptz not null default now(),
      released_at timestamptz
    );

    create table inventory.reservation_items (
      reservation_id uuid not null references inventory.reservations (id),
      product_sku text not null,
      quantity integer not null check (quantity > 0),
      primary key (reservation_id, product_sku)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists inventory cascade');
}
