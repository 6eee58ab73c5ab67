import { consume } from '../../shared/messaging/consumer';
import { orderCreated } from './messages';
import { notifyCustomer, recipient } from './notify';

/** order.created → an order confirmation by email and push. */
consume('notifications', 'order.created', async (event, uow) => {
  const customer = await recipient(uow, event.payload.customer_id);
  await notifyCustomer(uow, event, customer, 'order_created', (name) => orderCreated(name, event.payload));
});
