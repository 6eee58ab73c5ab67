import type { Knex } from 'knex';

/**
 * Notifications: a projection of customers (version-guarded, deleted = tombstone) and one row per
 * notification and channel. `source` is the triggering event_id (or `manual:<key>`); the unique
 * (source, kind, channel) makes a second email or push for the same event impossible, whatever
 * the consumer's dedupe records say.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists notifications;

    create table notifications.customers (
      id uuid primary key,
      name text,
      email text,
      version integer not null,
      deleted boolean not null default false,
      updated_at timestamptz not null default now()
    );

    create table notifications.notifications (
      id uuid primary key,
      source text not null,
      source_event_type text not null,
      correlation_id text,
      kind text not null,
      channel text not null check (channel in ('email', 'push')),
      customer_id uuid,
      recipient text not null,
      subject text not null,
      body text not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      failure_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (source, kind, channel),
      check ((status = 'failed') = (failure_reason is not null))
    );
    create index notifications_by_customer on notifications.notifications (customer_id, created_at, id);
    create index notifications_by_time on notifications.notifications (created_at, id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists notifications cascade');
}
