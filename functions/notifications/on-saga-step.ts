import { consume } from '../../shared/messaging/consumer';
import { orderShipped, paymentFailed, paymentSucceeded, refundIssued } from './messages';
import { notifyCustomer } from './notify';

/**
 * The saga's customer-facing steps, one email and one push each: payment received or declined, refund
 * issued, order shipped. Each is unique per payment or shipment (not per event id), so even a copy
 * re-published under a new event id sends nothing twice.
 */
consume('notifications', 'payment.succeeded', (event, uow) =>
  notifyCustomer(
    uow,
    event,
    event.payload.customer_id,
    'payment_succeeded',
    (name) => paymentSucceeded(name, event.payload),
    `payment:${event.payload.payment_id}`,
  ),
);
consume('notifications', 'payment.failed', (event, uow) =>
  notifyCustomer(
    uow,
    event,
    event.payload.customer_id,
    'payment_failed',
    (name) => paymentFailed(name, event.payload),
    `payment:${event.payload.payment_id}`,
  ),
);
consume('notifications', 'payment.refunded', (event, uow) =>
  notifyCustomer(
    uow,
    event,
    event.payload.customer_id,
    'refund_issued',
    (name) => refundIssued(name, event.payload),
    `payment:${event.payload.payment_id}`,
  ),
);
consume('notifications', 'shipment.scheduled', (event, uow) =>
  notifyCustomer(
    uow,
    event,
    event.payload.customer_id,
    'order_shipped',
    (name) => orderShipped(name, event.payload),
    `shipment:${event.payload.shipment_id}`,
  ),
);
