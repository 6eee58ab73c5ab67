// The orders service: its HTTP API, one function per consumed event, the payment timeout and the re-drive jobs.
import { consume } from '../../shared/messaging/consumer';
import { registerJob } from '../../shared/runtime/job';
import { onStockAvailable } from './on-stock-available';
import { cancelUnpaidOrders } from './payment-timeout';
import { redriveOrders } from './redrive';
import { advance } from './saga';

export { ordersApi } from './api';
consume('orders', 'stock-available', onStockAvailable);
// every saga step goes through the one rule table in domain.ts
consume('orders', 'payment.succeeded', advance);
consume('orders', 'payment.failed', advance);
consume('orders', 'payment.refunded', advance);
consume('orders', 'shipment.scheduled', advance);
consume('orders', 'shipment.failed', advance);
registerJob('payment-timeout', () => cancelUnpaidOrders());
registerJob('orders-redrive', () => redriveOrders());
