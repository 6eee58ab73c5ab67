import { consume } from '../../shared/messaging/consumer';
import { orderCreated } from './messages';
import { notifyCustomer } from './notify';

/** order.created → an order confirmation by email and push. */
consume('notifications', 'order.created', (event, uow) =>
  notifyCustomer(uow, event, event.payload.customer_id, 'order_created', (name) => orderCreated(name, event.payload)),
);
