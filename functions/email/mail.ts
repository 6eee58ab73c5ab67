import { config } from '../../shared/config';
import { log } from '../../shared/logger';
import type { UnitOfWork } from '../../shared/messaging/outbox';
import { parkedAfter } from '../../shared/providers/parked';
import { attemptMail } from './breaker';
import { park, recordDelivery, unpark, type ParkedMail } from './store';

/**
 * One attempt at one notification's mail, inside the caller's transaction (the consumer's, or the
 * email-retry job's), under the notification's lock: the SMTP server's answer is recorded with its
 * delivery event; no answer parks the mail for the email-retry job, so an outage never spends Pub/Sub's
 * delivery attempts nor needs a replay.
 */
export interface MailRequest {
  notificationId: string;
  requestEventId: string;
  correlationId: string;
  to: string;
  subject: string;
  text: string;
  /** Attempts already made (parked mail). */
  attempts: number;
}

export type MailOutcome = 'sent' | 'rejected' | 'parked';

export async function deliverMail({ tx, emit }: UnitOfWork, request: MailRequest): Promise<MailOutcome> {
  const id = request.notificationId;
  const messageId = `<${id}@${config().MESSAGE_ID_DOMAIN}>`;
  const result = await attemptMail({ messageId, to: request.to, subject: request.subject, text: request.text });
  if (result.outcome === 'unavailable') {
    const parked: ParkedMail = {
      notification_id: id,
      request_event_id: request.requestEventId,
      correlation_id: request.correlationId,
      recipient: request.to,
      subject: request.subject,
      body: request.text,
      ...parkedAfter(new Error(result.error), request.attempts, { notification_id: id, provider: 'smtp' }),
    };
    await park(tx, parked);
    return 'parked';
  }
  const sent = result.outcome === 'sent';
  if (request.attempts > 0) await unpark(tx, id); // mail tried before is parked; a first try was found unparked
  await recordDelivery(tx, {
    notification_id: id,
    message_id: messageId,
    recipient: request.to,
    subject: request.subject,
    status: sent ? 'sent' : 'rejected',
    smtp_response: sent ? result.response : result.reason,
  });
  if (sent) await emit('notification.delivered', { notification_id: id, channel: 'email' });
  else await emit('notification.failed', { notification_id: id, channel: 'email', reason: result.reason });
  log.info(sent ? 'mail sent' : 'mail rejected', { notification_id: id, message_id: messageId, attempts: request.attempts + 1 });
  return result.outcome;
}
