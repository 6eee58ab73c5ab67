import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { assertOwner } from './domain';
import { findCart, settleOrder } from './store';

/**
 * payment.succeeded / order.cancelled → the order this cart became no longer waits for payment, so
 * it stops counting against the customer's open-orders limit. Order-independent: it may come before
 * order.created reaches the cart.
 */
export const onOrderSettled: Handler<'payment.succeeded' | 'order.cancelled'> = async ({ payload }, { tx }) => {
  const cart = await findCart(tx, payload.cart_id, true);
  if (!cart) {
    log.warn('settlement for an unknown cart; ignored', { cart_id: payload.cart_id, order_id: payload.order_id });
    return;
  }
  assertOwner(cart, payload.customer_id);
  await settleOrder(tx, cart.id);
};
