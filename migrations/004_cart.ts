import type { Knex } from 'knex';

/**
 * Cart: at most one open cart per customer (enforced by a partial unique index), items with a
 * price snapshot, a product projection fed by product.* events, and idempotency keys.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists cart;

    create table cart.products (
      sku text primary key,
      name text not null,
      price_cents bigint not null,
      version integer not null,
      deleted boolean not null default false
    );

    create table cart.carts (
      id uuid primary key,
      customer_id uuid not null,
      status text not null check (status in ('active', 'processing', 'stock-unavailable', 'ordered')),
      cart_locked boolean not null default false,
      order_id uuid,
      rejection jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index carts_one_open_per_customer on cart.carts (customer_id) where status <> 'ordered';

    create table cart.items (
      cart_id uuid not null references cart.carts (id) on delete cascade,
      product_sku text not null,
      quantity integer not null check (quantity > 0 and quantity <= 10000),
      unit_price_cents bigint not null check (unit_price_cents > 0),
      added_at timestamptz not null default now(),
      primary key (cart_id, product_sku)
    );

    create table cart.idempotency_keys (
      customer_id uuid not null,
      key text not null,
      status integer,
      response jsonb,
      created_at timestamptz not null default now(),
      primary key (customer_id, key)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists cart cascade');
}
