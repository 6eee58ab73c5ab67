import type { Knex } from 'knex';

/** Orders: one order per cart (I2), items with the price snapshot, and every status change with its cause. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists orders;

    create table orders.orders (
      id uuid primary key,
      cart_id uuid not null unique,
      customer_id uuid not null,
      reservation_id uuid not null,
      status text not null check (status in ('confirmed', 'paid', 'shipped', 'cancelled')),
      total_cents bigint not null check (total_cents > 0),
      cancel_reason text,
      notes text,
      shipping_address jsonb,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index orders_by_customer on orders.orders (customer_id, created_at, id);

    create table orders.order_items (
      order_id uuid not null references orders.orders (id),
      product_sku text not null,
      quantity integer not null check (quantity > 0),
      unit_price_cents bigint not null check (unit_price_cents > 0),
      primary key (order_id, product_sku)
    );

    create table orders.status_history (
      id bigserial primary key,
      order_id uuid not null references orders.orders (id),
      from_status text,
      to_status text not null,
      reason text,
      caused_by_event_id uuid,
      caused_by_event_type text,
      caused_by_request text,
      emitted_event_id uuid,
      at timestamptz not null default now()
    );
    create index status_history_by_order on orders.status_history (order_id, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists orders cascade');
}
