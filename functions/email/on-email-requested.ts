import { log } from '../../shared/logger';
import { consume } from '../../shared/messaging/consumer';
import { deliverMail } from './mail';
import { findDelivery, findParked, lockNotification } from './store';

/**
 * email.requested → one mail over SMTP, its result recorded and reported back to notifications,
 * all in the consumer's transaction. A notification whose mail was recorded is never sent again; one
 * whose mail is parked (the SMTP server did not answer) is left to the email-retry job.
 *
 * The residual window: the SMTP server has accepted the mail (250 after DATA) but this transaction
 * has not committed (the process dies, or the database fails the commit). Pub/Sub then redelivers and
 * the mail goes out a second time, with the same Message-ID, which receiving systems use to drop
 * duplicates. SMTP has no idempotent submission, so closing the window entirely is not possible;
 * the code keeps it to one insert, one outbox row and the commit.
 */
consume('email', 'email.requested', async ({ payload, eventId, envelope }, uow) => {
  const id = payload.notification_id;
  await lockNotification(uow.tx, id);
  const done = (await findDelivery(uow.tx, id)) ?? (await findParked(uow.tx, id));
  if (done) {
    log.info('mail already handled or parked; not sent again', {
      notification_id: id,
      status: 'status' in done ? done.status : 'parked',
    });
    return;
  }
  await deliverMail(uow, {
    notificationId: id,
    requestEventId: eventId,
    correlationId: envelope.correlation_id,
    to: payload.to,
    subject: payload.subject,
    text: payload.text,
    attempts: 0,
  });
});
