import type { Handler } from '../../shared/messaging/consumer';
import { applyProduct } from './store';

/** product.created / updated / deleted → the cart's product projection (newest version wins). */
export const onProductChanged: Handler<'product.created' | 'product.updated' | 'product.deleted'> = async (
  { payload },
  { tx },
) => {
  await applyProduct(tx, payload);
};
