import { randomUUID } from 'node:crypto';
import type { Handler } from '../../shared/messaging/consumer';
import { toCents } from '../../shared/money';
import { requestCharge } from './payments';
import { insertPayment, lockPaymentOfOrder } from './store';

/** order.created → the order's one payment, charged through the provider (the order id is the idempotency key). */
export const onOrderCreated: Handler<'order.created'> = async ({ payload, eventId }, uow) => {
  const { order_id, cart_id, customer_id, total } = payload;
  await insertPayment(uow.tx, {
    id: randomUUID(),
    order_id,
    cart_id,
    customer_id,
    amount_cents: toCents(total),
    status: 'pending',
    caused_by_event_id: eventId,
  });
  const payment = await lockPaymentOfOrder(uow.tx, order_id);
  // an order cancelled before we heard of it left a `cancelled` payment: nothing is charged
  if (payment?.status === 'pending') await requestCharge(uow, payment);
};
