import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { assertOwner } from './domain';
import { findCart, updateCart } from './store';

/** order.created → the cart is `ordered` (closed); the customer's next item opens a new cart. Only the owner's order closes it. */
export const onOrderCreated: Handler<'order.created'> = async ({ payload }, { tx }) => {
  const cart = await findCart(tx, payload.cart_id, true);
  if (!cart) {
    log.warn('order.created for an unknown cart; ignored', { cart_id: payload.cart_id, order_id: payload.order_id });
    return;
  }
  assertOwner(cart, payload.customer_id);
  await updateCart(tx, cart.id, { status: 'ordered', cart_locked: true, order_id: payload.order_id });
};
