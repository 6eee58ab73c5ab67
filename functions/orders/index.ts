// The orders service: its HTTP API, one function per consumed event, and the payment timeout job.
import { consume } from '../../shared/messaging/consumer';
import { registerJob } from '../../shared/runtime/job';
import { onStockAvailable } from './on-stock-available';
import { cancelUnpaidOrders } from './payment-timeout';
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
