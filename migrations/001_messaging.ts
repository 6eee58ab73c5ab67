import type { Knex } from 'knex';

/** Shared messaging tables: outbox, dedupe records, dead letters, last transient failure per delivery. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists messaging;

    create table messaging.outbox (
      id uuid primary key,                 -- the event_id, fixed at write time
      service text not null,
      topic text not null,
      data jsonb not null,
      attributes jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      publish_attempts integer not null default 0,
      last_error text
    );
    create index outbox_unpublished on messaging.outbox (created_at) where published_at is null;
    create index outbox_published on messaging.outbox (published_at) where published_at is not null;

    create table messaging.processed_messages (
      consumer text not null,
      event_id uuid not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    );
    create index processed_messages_age on messaging.processed_messages (processed_at);

    create table messaging.delivery_failures (
      consumer text not null,
      event_id uuid not null,
      attempts integer not null default 1,
      last_error text not null,
      last_failed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    );

    create table messaging.dead_letters (
      id bigserial primary key,
      consumer text not null,
      dedupe_key text not null,
      reason text not null check (reason in ('undecodable', 'invalid', 'permanent', 'max_attempts')),
      error text not null,
      event_id uuid,
      event_type text,
      message_id text,
      attributes jsonb not null default '{}',
      data text,
      delivery_attempt integer,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      replayed_at timestamptz,
      unique (consumer, dedupe_key)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists messaging cascade');
}
