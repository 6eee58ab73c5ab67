import { randomUUID } from 'node:crypto';
import type { Handler } from '../../shared/messaging/consumer';
import { totalCents } from '../../shared/money';
import { apply } from './payments';
import { insertPayment, lockPaymentOfOrder } from './store';

/**
 * order.cancelled → a captured payment is refunded once; a charge still under way is refunded if it
 * succeeds; an order cancelled before its order.created reached us gets a `cancelled` payment, so
 * the late order.created charges nothing.
 */
export const onOrderCancelled: Handler<'order.cancelled'> = async ({ payload, eventId }, uow) => {
  const { order_id, cart_id, customer_id, items } = payload;
  const tombstone = {
    id: randomUUID(),
    order_id,
    cart_id,
    customer_id,
    amount_cents: totalCents(items),
    caused_by_event_id: eventId,
  };
  if (await insertPayment(uow.tx, { ...tombstone, status: 'cancelled', order_cancelled: true })) return;
  const payment = await lockPaymentOfOrder(uow.tx, order_id);
  if (payment) await apply(uow, payment, 'order_cancelled');
};
