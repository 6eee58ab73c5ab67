import { randomUUID } from 'node:crypto';
import type { Handler } from '../../shared/messaging/consumer';
import { apply } from './shipments';
import { insertShipment, lockShipmentOfOrder } from './store';

/**
 * order.cancelled → a booked pickup is cancelled at the carrier; an order cancelled before its
 * payment.succeeded reached us gets a `cancelled` shipment, so nothing is ever booked for it.
 */
export const onOrderCancelled: Handler<'order.cancelled'> = async ({ payload, eventId }, uow) => {
  const { order_id, cart_id, customer_id } = payload;
  if (
    await insertShipment(uow.tx, {
      id: randomUUID(),
      order_id,
      cart_id,
      customer_id,
      status: 'cancelled',
      caused_by_event_id: eventId,
    })
  )
    return;
  const shipment = await lockShipmentOfOrder(uow.tx, order_id);
  if (shipment) await apply(uow, shipment, 'order_cancelled');
};
