// The payments service: its HTTP API (reads and the provider's webhook), one function per consumed event, and its reconciler job.
import { consume } from '../../shared/messaging/consumer';
import { registerJob } from '../../shared/runtime/job';
import { onOrderCancelled } from './on-order-cancelled';
import { onOrderCreated } from './on-order-created';
import { reconcilePayments } from './reconcile';

export { paymentsApi } from './api';
consume('payments', 'order.created', onOrderCreated);
consume('payments', 'order.cancelled', onOrderCancelled);
registerJob('payments-reconcile', reconcilePayments);
