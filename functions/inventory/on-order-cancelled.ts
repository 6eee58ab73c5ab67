import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { release } from './store';

/** order.cancelled → return the cart's reserved units to stock, once. */
export const onOrderCancelled: Handler<'order.cancelled'> = async ({ payload }, { tx }) => {
  const released = await release(tx, payload.cart_id, payload.order_id);
  if (!released)
    log.info('reservation already released or unknown; nothing to do', { order_id: payload.order_id, cart_id: payload.cart_id });
};
