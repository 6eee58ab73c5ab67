import type { Knex } from 'knex';

/** Push: each customer's inbox, one entry per notification (the notification id is the key). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists push;
    create table push.inbox (
      notification_id uuid primary key,
      customer_id uuid not null,
      title text not null,
      body text not null,
      provider text not null,
      provider_message_id text,
      received_at timestamptz not null default now()
    );
    create index inbox_by_customer on push.inbox (customer_id, received_at, notification_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists push cascade');
}
