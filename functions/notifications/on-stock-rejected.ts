import { config } from '../../shared/config';
import { consume } from '../../shared/messaging/consumer';
import { stockAlert, stockRejected } from './messages';
import { createNotification, notifyCustomer } from './notify';

/** stock.rejected → the customer hears why by email and push; the stock manager gets an alert email. */
consume('notifications', 'stock.rejected', async (event, uow) => {
  await notifyCustomer(uow, event, event.payload.customer_id, 'stock_rejected', (name) => stockRejected(name, event.payload));
  const alert = stockAlert(event.payload);
  await createNotification(uow, {
    kind: 'stock_alert',
    channel: 'email',
    customer_id: null,
    recipient: config().STOCK_MANAGER_EMAIL,
    subject: alert.subject,
    body: alert.text,
    source: event.eventId,
    source_event_type: event.type,
    correlation_id: event.envelope.correlation_id,
  });
});
