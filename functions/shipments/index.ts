// The shipments service: its HTTP API, one function per consumed event, and its reconciler job.
import { consume } from '../../shared/messaging/consumer';
import { registerJob } from '../../shared/runtime/job';
import { onOrderCancelled } from './on-order-cancelled';
import { onOrderCreated } from './on-order-created';
import { onOrderUpdated } from './on-order-updated';
import { onPaymentSucceeded } from './on-payment-succeeded';
import { reconcileShipments } from './reconcile';

export { shipmentsApi } from './api';
consume('shipments', 'order.created', onOrderCreated);
consume('shipments', 'payment.succeeded', onPaymentSucceeded);
consume('shipments', 'order.updated', onOrderUpdated);
consume('shipments', 'order.cancelled', onOrderCancelled);
registerJob('shipments-reconcile', reconcileShipments);
