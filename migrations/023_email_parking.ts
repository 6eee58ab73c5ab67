import type { Knex } from 'knex';

/**
 * Email parking: a mail that could not be handed to the SMTP server (unreachable, timed out, 4xx)
 * waits here for the `email-retry` job instead of going back to Pub/Sub, whose attempts run out in a
 * long outage. It keeps everything needed to send it and to report the result with the request's
 * event as cause. One row per notification; it is deleted in the transaction that records the delivery.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table email.parked (
      notification_id uuid primary key,
      request_event_id uuid not null,
      correlation_id text not null,
      recipient text not null,
      subject text not null,
      body text not null,
      attempts integer not null default 1,
      next_attempt_at timestamptz not null,
      last_error text not null,
      created_at timestamptz not null default now()
    );
    create index parked_due on email.parked (next_attempt_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists email.parked');
}
