import { consume } from '../../shared/messaging/consumer';
import { orderCancelled } from './messages';
import { notifyCustomer } from './notify';

/** order.cancelled → a cancellation notice by email and push. */
consume('notifications', 'order.cancelled', (event, uow) =>
  notifyCustomer(uow, event, event.payload.customer_id, 'order_cancelled', (name) => orderCancelled(name, event.payload)),
);
