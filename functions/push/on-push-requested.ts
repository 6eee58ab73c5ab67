import { log } from '../../shared/logger';
import { consume } from '../../shared/messaging/consumer';
import { pushProvider } from './provider';
import { addToInbox, setProviderMessageId } from './store';

/**
 * push.requested → the message in the customer's inbox (once per notification), handed to the
 * push provider, and the result reported back to notifications — in one transaction.
 */
consume('push', 'push.requested', async ({ payload }, { tx, emit }) => {
  const provider = pushProvider();
  if (!(await addToInbox(tx, payload, provider.name))) {
    log.info('push message already in the inbox; not delivered again', { notification_id: payload.notification_id });
    return;
  }
  const result = await provider.deliver(payload);
  const id = payload.notification_id;
  if (result.outcome === 'rejected') {
    await emit('notification.failed', { notification_id: id, channel: 'push', reason: result.reason });
    return;
  }
  if (result.providerMessageId) await setProviderMessageId(tx, id, result.providerMessageId);
  await emit('notification.delivered', { notification_id: id, channel: 'push' });
});
