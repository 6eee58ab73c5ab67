import type { Knex } from 'knex';

/** Catalog: products keep a tombstone when deleted so their version keeps rising for projections. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists catalog;
    create table catalog.products (
      sku text primary key,
      name text not null,
      description text,
      price_cents bigint not null check (price_cents > 0),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists catalog cascade');
}
