import type { Knex } from 'knex';
import { config } from '../shared/config';

/**
 * What the reconcilers could not heal, for an operator (`npm run dlq -- stuck`): waiting items
 * surfaced after their last re-drive (`stuck_since`), events the undelivered re-drive gave up on,
 * and provider work (charges, refunds, bookings, mail) still parked after PROVIDER_RETRY_SURFACE_AFTER
 * attempts. One row per item, with where it waits and since when.
 */
export interface StuckItem {
  kind: string;
  id: string;
  status: string;
  since: Date;
  detail: string | null;
}

export async function listStuck(knex: Knex): Promise<StuckItem[]> {
  const surfaceAfter = config().PROVIDER_RETRY_SURFACE_AFTER;
  // surfaced and still waiting: an item that moved on later (e.g. a parked mail finally sent) is no longer stuck
  const surfaced = (kind: string, table: string, waiting: string[], detail: string) =>
    knex(table)
      .whereNotNull('stuck_since')
      .whereIn('status', waiting)
      .select(knex.raw('? as kind', [kind]), 'id', 'status', 'stuck_since as since', knex.raw(`${detail} as detail`));
  const parked = (kind: string, table: string) =>
    knex(table)
      .where('attempts', '>=', surfaceAfter)
      .whereNotNull('next_attempt_at')
      .select(knex.raw('? as kind', [kind]), 'id', 'status', 'updated_at as since', 'last_error as detail');
  const groups = await Promise.all([
    surfaced('cart', 'cart.carts', ['processing'], `'re-driven ' || redrive_count || ' times'`),
    surfaced('order', 'orders.orders', ['confirmed', 'paid'], `'re-driven ' || redrive_count || ' times'`),
    surfaced('notification', 'notifications.notifications', ['pending'], `channel || ' to ' || recipient`),
    parked('payment', 'payments.payments'),
    parked('shipment', 'shipments.shipments'),
    knex('email.parked')
      .where('attempts', '>=', surfaceAfter)
      .select(
        knex.raw(`'mail' as kind`),
        'notification_id as id',
        knex.raw(`'parked' as status`),
        'created_at as since',
        'last_error as detail',
      ),
    knex('messaging.outbox')
      .whereNotNull('stuck_since')
      .select(
        knex.raw(`'event' as kind`),
        'id',
        'topic as status',
        'stuck_since as since',
        knex.raw(`'undelivered after ' || redrive_count || ' re-drives' as detail`),
      ),
  ]);
  return (groups.flat() as StuckItem[]).sort((a, b) => a.since.getTime() - b.since.getTime());
}
