import { randomUUID } from 'node:crypto';
import type { Handler } from '../../shared/messaging/consumer';
import { book } from './shipments';
import { insertShipment, lockShipmentOfOrder } from './store';

/** payment.succeeded → the order's one shipment, booked with the carrier (unless the order was cancelled first). */
export const onPaymentSucceeded: Handler<'payment.succeeded'> = async ({ payload, eventId }, uow) => {
  const { order_id, cart_id, customer_id } = payload;
  await insertShipment(uow.tx, {
    id: randomUUID(),
    order_id,
    cart_id,
    customer_id,
    status: 'pending',
    caused_by_event_id: eventId,
  });
  const shipment = await lockShipmentOfOrder(uow.tx, order_id);
  if (shipment?.status === 'pending') await book(uow, shipment);
};
