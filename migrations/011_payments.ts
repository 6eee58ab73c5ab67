import type { Knex } from 'knex';

/**
 * Payments: one payment per order (a constraint, whatever the dedupe records say), its state machine
 * (functions/payments/domain.ts), the provider's references, and the reconciler's schedule
 * (`next_attempt_at`) for work parked while the provider was unreachable or its webhook is overdue.
 * Every provider webhook event is recorded once by its id, so a replayed webhook changes nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists payments;

    create table payments.payments (
      id uuid primary key,
      order_id uuid not null unique,
      cart_id uuid not null,
      customer_id uuid not null,
      amount_cents bigint not null check (amount_cents > 0),
      status text not null check (status in
        ('pending', 'submitted', 'captured', 'failed', 'cancelled', 'refund_pending', 'refunded')),
      order_cancelled boolean not null default false,
      charge_ref text,
      refund_ref text,
      failure_reason text,
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index payments_due on payments.payments (next_attempt_at)
      where status in ('pending', 'submitted', 'refund_pending');
    create index payments_by_customer on payments.payments (customer_id);

    create table payments.webhook_events (
      id text primary key,
      type text not null,
      payment_id uuid references payments.payments (id),
      received_at timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists payments cascade');
}
