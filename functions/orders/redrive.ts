import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { idleSince, redriveEach, replyNotProduced } from '../../shared/messaging/redrive';
import { latestEventId } from '../../shared/messaging/relay';
import type { OrderStatus } from './domain';

const ORDERS = 'orders.orders';
const BATCH = 100;
const PAYMENT_OUTCOMES = ['payment.succeeded', 'payment.failed'];
const SHIPMENT_OUTCOMES = ['shipment.scheduled', 'shipment.failed'];
/** Finished orders are re-driven once, and only recent ones (not the whole history after an upgrade). */
const FINISHED_WINDOW_MS = 3_600_000;

/**
 * The orders re-drive (a scheduled job). An order waiting for its payment or shipment
 * (`confirmed`, `paid`) ORDER_REDRIVE_AFTER_SECONDS after its last step has its order.created
 * published again with the same event_id: payments and shipments dedupe it and re-publish what
 * they caused (consumer.ts), so a payment or shipment event lost anywhere downstream is delivered
 * again. An order whose payment (or, once paid, shipment) outcome is already in the outbox is not
 * re-driven: that outcome is queued, or lost and re-driven by `undelivered-redrive`. After ORDER_REDRIVE_MAX re-drives it is surfaced (`stuck_since`). A finished order
 * (`shipped`, `cancelled`) is re-driven once, with its order.cancelled, so that a lost last hop
 * (stock sold or returned, refund, pickup cancelled) happens too.
 */
export async function redriveOrders(now = new Date()): Promise<{ redriven: number; surfaced: number }> {
  const { ORDER_REDRIVE_AFTER_SECONDS, ORDER_REDRIVE_MAX } = config();
  const before = new Date(now.getTime() - ORDER_REDRIVE_AFTER_SECONDS * 1000);
  const waiting: Candidate[] = await idleSince(
    db()(ORDERS)
      .whereNull('stuck_since')
      // an order whose payment or shipment outcome was produced waits only for its delivery (undelivered-redrive's)
      .where((q) =>
        q
          .where({ status: 'confirmed' })
          .whereRaw(...replyNotProduced(`${ORDERS}.id`, [...PAYMENT_OUTCOMES, ...SHIPMENT_OUTCOMES]))
          .orWhere((paid) => paid.where({ status: 'paid' }).whereRaw(...replyNotProduced(`${ORDERS}.id`, SHIPMENT_OUTCOMES))),
      ),
    now,
    ORDER_REDRIVE_AFTER_SECONDS,
  )
    .orderBy('updated_at')
    .limit(BATCH)
    .select('id', 'status', 'redrive_count');
  const finished: Candidate[] = await db()(ORDERS)
    .whereIn('status', ['shipped', 'cancelled'])
    .where({ redrive_count: 0 })
    .where('updated_at', '<', before)
    .where('updated_at', '>', new Date(now.getTime() - FINISHED_WINDOW_MS))
    .orderBy('updated_at')
    .limit(BATCH)
    .select('id', 'status', 'redrive_count');
  return redriveEach(
    [...waiting, ...finished],
    (order) => {
      const done = order.status === 'shipped' || order.status === 'cancelled';
      return {
        state: `order ${order.status}`,
        table: ORDERS,
        id: order.id,
        redriveCount: order.redrive_count,
        max: done ? 1 : ORDER_REDRIVE_MAX,
        events: () => ownEvents(order),
        surface: { stuck_since: now },
        still: { status: order.status },
      };
    },
    now,
  );
}

interface Candidate {
  id: string;
  status: OrderStatus;
  redrive_count: number;
}

async function ownEvents(order: Candidate): Promise<string[]> {
  const topics = order.status === 'cancelled' ? (['order.created', 'order.cancelled'] as const) : (['order.created'] as const);
  const ids = await Promise.all(topics.map((topic) => latestEventId(topic, order.id)));
  return ids.filter((id): id is string => !!id);
}
