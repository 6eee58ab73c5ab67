import type { Knex } from 'knex';

/**
 * Customers: an email change waits here until the new address is verified. One pending change per
 * customer (a new request replaces it); only the SHA-256 of the code is stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table customers.email_verifications (
      customer_id uuid primary key references customers.customers (id),
      email text not null,
      token_sha256 bytea not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists customers.email_verifications');
}
