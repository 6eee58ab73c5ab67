import { consume } from '../../shared/messaging/consumer';
import { orderCancelled } from './messages';
import { notifyCustomer, recipient } from './notify';

/** order.cancelled → a cancellation notice by email and push. */
consume('notifications', 'order.cancelled', async (event, uow) => {
  const customer = await recipient(uow, event.payload.customer_id);
  await notifyCustomer(uow, event, customer, 'order_cancelled', (name) => orderCancelled(name, event.payload));
});
