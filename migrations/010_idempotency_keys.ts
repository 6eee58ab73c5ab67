import type { Knex } from 'knex';

/** One Idempotency-Key store for every service's writes (shared/http/idempotency.ts) replaces the cart's own table. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists api;
    create table api.idempotency_keys (
      scope text not null,
      key text not null,
      request_hash text not null,
      status integer,
      body jsonb,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    );
    create index idempotency_keys_age on api.idempotency_keys (created_at);
    drop table cart.idempotency_keys;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    create table cart.idempotency_keys (
      customer_id uuid not null, key text not null, status integer, response jsonb,
      created_at timestamptz not null default now(), primary key (customer_id, key)
    );
    drop schema api cascade;
  `);
}
