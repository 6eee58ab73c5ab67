import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { rejection, reservationLines } from './domain';
import { availableNow, hasReservation, reserve } from './store';

/** order-requested → reserve every item or none; emit stock-available or stock.rejected. */
export const onOrderRequested: Handler<'order-requested'> = async ({ payload }, { tx, emit }) => {
  const { cart_id, customer_id, items } = payload;
  if (await hasReservation(tx, cart_id)) {
    log.warn('order-requested for a cart that already has a reservation; ignored', { cart_id });
    return;
  }
  const lines = reservationLines(items);
  const reservationId = await reserve(tx, { cartId: cart_id, customerId: customer_id, lines });
  if (reservationId) {
    const address = payload.shipping_address ? { shipping_address: payload.shipping_address } : {};
    await emit('stock-available', { cart_id, customer_id, reservation_id: reservationId, items, ...address });
    return;
  }
  const available = await availableNow(
    tx,
    lines.map((l) => l.product_sku),
  );
  await emit('stock.rejected', { cart_id, customer_id, ...rejection(lines, available) });
};
