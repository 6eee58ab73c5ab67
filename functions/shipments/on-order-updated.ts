import type { Handler } from '../../shared/messaging/consumer';
import { saveAddress } from './store';

/** order.updated → the order's shipping address, for the booking (the newest version wins). */
export const onOrderUpdated: Handler<'order.updated'> = async ({ payload }, { tx }) => {
  const { order_id, customer_id, shipping_address, version } = payload;
  await saveAddress(tx, { orderId: order_id, customerId: customer_id, address: shipping_address, version });
};
