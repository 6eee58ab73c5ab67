// The cart service: its HTTP API, one function per consumed event, and the re-drive job for stuck carts.
import { consume } from '../../shared/messaging/consumer';
import { registerJob } from '../../shared/runtime/job';
import { onOrderCreated } from './on-order-created';
import { onOrderSettled } from './on-order-settled';
import { onProductChanged } from './on-product-changed';
import { onStockRejected } from './on-stock-rejected';
import { redriveStuckCarts } from './redrive';

export { cartApi } from './api';
consume('cart', 'product.created', onProductChanged);
consume('cart', 'product.updated', onProductChanged);
consume('cart', 'product.deleted', onProductChanged);
consume('cart', 'stock.rejected', onStockRejected);
consume('cart', 'order.created', onOrderCreated);
consume('cart', 'payment.succeeded', onOrderSettled);
consume('cart', 'order.cancelled', onOrderSettled);
registerJob('cart-redrive', () => redriveStuckCarts());
