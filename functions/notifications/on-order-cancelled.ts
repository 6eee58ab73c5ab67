import { consume } from '../../shared/messaging/consumer';
import { orderCancelled } from './messages';
import { notifyCustomer } from './notify';

/**
 * order.cancelled → a cancellation notice by email and push; not when the cause is a declined
 * payment, whose payment.failed notice already says that the order is cancelled (one message per step).
 */
consume('notifications', 'order.cancelled', async (event, uow) => {
  if (event.payload.cause === 'payment_failed') return;
  await notifyCustomer(uow, event, event.payload.customer_id, 'order_cancelled', (name) => orderCancelled(name, event.payload));
});
