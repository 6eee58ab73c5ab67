import type { Knex } from 'knex';

/**
 * Email: one row per notification whose mail the SMTP server accepted (`sent`) or refused for good
 * (`rejected`). Written in the same transaction as the consumer's dedupe record and the delivery
 * event, and checked before every send, so a mail is never sent again once that transaction committed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists email;
    create table email.deliveries (
      notification_id uuid primary key,
      message_id text not null,
      recipient text not null,
      subject text not null,
      status text not null check (status in ('sent', 'rejected')),
      smtp_response text,
      created_at timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists email cascade');
}
