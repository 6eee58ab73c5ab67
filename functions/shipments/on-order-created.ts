import type { Handler } from '../../shared/messaging/consumer';
import { saveAddress } from './store';

/** order.created → the shipping address given at checkout, if any (version 1; PUT /orders/:id sends newer ones). */
export const onOrderCreated: Handler<'order.created'> = async ({ payload }, { tx }) => {
  const { order_id, customer_id, shipping_address } = payload;
  await saveAddress(tx, { orderId: order_id, customerId: customer_id, address: shipping_address ?? null, version: 1 });
};
