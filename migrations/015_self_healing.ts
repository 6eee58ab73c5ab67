import type { Knex } from 'knex';

/**
 * Self-healing: the outbox can be searched by causation (a duplicate re-publishes what its first
 * delivery caused); payments and shipments remember the event that started them, so events they
 * emit later (webhook, reconciler) continue that chain; orders and notifications count re-drives.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index outbox_by_causation on messaging.outbox (service, (attributes->>'causation_id'));
    create index outbox_by_notification on messaging.outbox ((data->>'notification_id'))
      where topic in ('email.requested', 'push.requested');

    alter table payments.payments add column caused_by_event_id uuid;
    alter table shipments.shipments add column caused_by_event_id uuid;

    alter table orders.orders add column redrive_count integer not null default 0;
    alter table orders.orders add column redriven_at timestamptz;
    alter table orders.orders add column stuck_since timestamptz;

    alter table notifications.notifications add column redrive_count integer not null default 0;
    alter table notifications.notifications add column redriven_at timestamptz;
    alter table notifications.notifications add column stuck_since timestamptz;
    create index notifications_pending on notifications.notifications (updated_at) where status = 'pending';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists notifications.notifications_pending;
    alter table notifications.notifications drop column stuck_since;
    alter table notifications.notifications drop column redriven_at;
    alter table notifications.notifications drop column redrive_count;
    alter table orders.orders drop column stuck_since;
    alter table orders.orders drop column redriven_at;
    alter table orders.orders drop column redrive_count;
    alter table shipments.shipments drop column caused_by_event_id;
    alter table payments.payments drop column caused_by_event_id;
    drop index if exists messaging.outbox_by_notification;
    drop index if exists messaging.outbox_by_causation;
  `);
}
