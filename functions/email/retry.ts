import { db } from '../../shared/db';
import { inTransaction } from '../../shared/messaging/outbox';
import { registerJob } from '../../shared/runtime/job';
import { smtpCircuitOpen } from './breaker';
import { deliverMail, type MailOutcome } from './mail';
import { dueParked, findDelivery, lockNotification, lockParkedIfDue, unpark } from './store';

const BATCH = 100;

/**
 * The email-retry job: parked mail whose next attempt is due is tried again, each in its own
 * transaction with the delivery event it causes (exponential backoff and the operator's error log
 * come from shared/providers/parked.ts). While the SMTP circuit is open the batch stops: the rest
 * waits for the next run instead of each failing on its own.
 */
export async function retryParkedMail(): Promise<Record<MailOutcome, number>> {
  const done: Record<MailOutcome, number> = { sent: 0, rejected: 0, parked: 0 };
  for (const due of await dueParked(db(), BATCH)) {
    const outcome = await inTransaction(
      'email',
      async (uow) => {
        await lockNotification(uow.tx, due.notification_id);
        const parked = await lockParkedIfDue(uow.tx, due.notification_id);
        if (!parked) return undefined;
        if (await findDelivery(uow.tx, parked.notification_id)) {
          await unpark(uow.tx, parked.notification_id);
          return undefined;
        }
        return deliverMail(uow, {
          notificationId: parked.notification_id,
          requestEventId: parked.request_event_id,
          correlationId: parked.correlation_id,
          to: parked.recipient,
          subject: parked.subject,
          text: parked.body,
          attempts: parked.attempts,
        });
      },
      { correlationId: due.correlation_id, causationId: due.request_event_id },
    );
    if (outcome) done[outcome] += 1;
    if (outcome === 'parked' && smtpCircuitOpen()) break;
  }
  return done;
}

registerJob('email-retry', retryParkedMail);
