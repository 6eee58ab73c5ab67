import { consume } from '../../shared/messaging/consumer';
import { createNotification } from './notify';
import { emailVerification } from './verification-message';

/**
 * customer.email_verification_requested → one verification mail to the new, unverified address.
 * The notification has no customer_id: its code must reach only that mailbox, so the customer's own
 * GET /notifications never lists it (an admin can).
 */
consume('notifications', 'customer.email_verification_requested', async ({ payload, eventId, type }, uow) => {
  const { subject, text } = emailVerification(payload);
  await createNotification(uow, {
    kind: 'email_verification',
    channel: 'email',
    customer_id: null,
    recipient: payload.email,
    subject,
    body: text,
    source: eventId,
    source_event_type: type,
    correlation_id: payload.customer_id,
  });
});
