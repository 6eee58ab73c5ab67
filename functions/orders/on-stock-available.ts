import { randomUUID } from 'node:crypto';
import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { fromCents } from '../../shared/money';
import { totalCents } from './domain';
import { eventCause } from './saga';
import { insertOrder, recordTransition } from './store';

/** stock-available → the cart's one order, `confirmed`, and order.created. */
export const onStockAvailable: Handler<'stock-available'> = async (event, { tx, emit }) => {
  const { payload, eventId } = event;
  const { cart_id, customer_id, reservation_id, items } = payload;
  const shippingAddress = payload.shipping_address ?? null;
  const order = {
    id: randomUUID(),
    cartId: cart_id,
    customerId: customer_id,
    reservationId: reservation_id,
    items,
    totalCents: totalCents(items),
    shippingAddress,
  };
  if (!(await insertOrder(tx, order))) {
    log.warn('stock-available for a cart that already has an order; ignored', { cart_id, event_id: eventId });
    return;
  }
  const emitted = await emit(
    'order.created',
    {
      order_id: order.id,
      cart_id,
      customer_id,
      items,
      total: fromCents(order.totalCents),
      status: 'confirmed',
      ...(shippingAddress ? { shipping_address: shippingAddress } : {}),
    },
    { correlationId: order.id },
  );
  await recordTransition(tx, {
    orderId: order.id,
    from: null,
    to: 'confirmed',
    cause: eventCause(event),
    emittedEventId: emitted,
  });
};
