import { config } from '../../shared/config';
import { log } from '../../shared/logger';
import { consume } from '../../shared/messaging/consumer';
import { sendMail } from './smtp';
import { findDelivery, lockNotification, recordDelivery } from './store';

/**
 * email.requested → one mail over SMTP, its result recorded and reported back to notifications,
 * all in the consumer's transaction. A notification whose mail was recorded is never sent again.
 *
 * The residual window: the SMTP server has accepted the mail (250 after DATA) but this transaction
 * has not committed (the process dies, or the database fails the commit). Pub/Sub then redelivers and
 * the mail goes out a second time, with the same Message-ID, which receiving systems use to drop
 * duplicates. SMTP has no idempotent submission, so closing the window entirely is not possible;
 * the code keeps it to one insert, one outbox row and the commit.
 */
consume('email', 'email.requested', async ({ payload }, { tx, emit }) => {
  const id = payload.notification_id;
  await lockNotification(tx, id);
  const done = await findDelivery(tx, id);
  if (done) {
    log.info('mail already handled; not sent again', { notification_id: id, status: done.status });
    return;
  }
  const messageId = `<${id}@${config().MESSAGE_ID_DOMAIN}>`;
  const result = await sendMail({ messageId, to: payload.to, subject: payload.subject, text: payload.text });
  const sent = result.outcome === 'sent';
  await recordDelivery(tx, {
    notification_id: id,
    message_id: messageId,
    recipient: payload.to,
    subject: payload.subject,
    status: sent ? 'sent' : 'rejected',
    smtp_response: sent ? result.response : result.reason,
  });
  if (sent) await emit('notification.delivered', { notification_id: id, channel: 'email' });
  else await emit('notification.failed', { notification_id: id, channel: 'email', reason: result.reason });
  log.info(sent ? 'mail sent' : 'mail rejected', { notification_id: id, message_id: messageId });
});
