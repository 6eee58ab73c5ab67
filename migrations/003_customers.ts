import type { Knex } from 'knex';

/** Customers: email unique among live customers; a deleted customer keeps a tombstone (version keeps rising). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists customers;
    create table customers.customers (
      id uuid primary key,
      name text not null,
      email text not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    );
    create unique index customers_live_email on customers.customers (lower(email)) where deleted_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists customers cascade');
}
