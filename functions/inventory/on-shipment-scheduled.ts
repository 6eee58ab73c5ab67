import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { sell } from './store';

/** shipment.scheduled → the order's reserved units are sold, once. */
export const onShipmentScheduled: Handler<'shipment.scheduled'> = async ({ payload }, { tx }) => {
  if (!(await sell(tx, payload.cart_id, payload.order_id))) {
    log.info('reservation already sold or released; nothing to do', { order_id: payload.order_id, cart_id: payload.cart_id });
  }
};
