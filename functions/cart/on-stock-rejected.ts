import { log } from '../../shared/logger';
import type { Handler } from '../../shared/messaging/consumer';
import { assertOwner } from './domain';
import { findCart, updateCart } from './store';

/** stock.rejected → the cart is unlocked, `stock-unavailable`, items kept so the customer can fix them. */
export const onStockRejected: Handler<'stock.rejected'> = async ({ payload }, { tx }) => {
  const cart = await findCart(tx, payload.cart_id, true);
  if (cart) assertOwner(cart, payload.customer_id);
  if (cart?.status !== 'processing') {
    log.warn('stock.rejected for a cart that is not processing; ignored', { cart_id: payload.cart_id, status: cart?.status });
    return;
  }
  await updateCart(tx, cart.id, {
    status: 'stock-unavailable',
    cart_locked: false,
    rejection: { reason: payload.reason, details: payload.details },
  });
};
