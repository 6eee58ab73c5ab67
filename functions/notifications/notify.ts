import type { UnitOfWork } from '../../shared/messaging/outbox';
import type { Received } from '../../shared/messaging/consumer';
import type { EventName } from '../../shared/events/catalog';
import type { Message } from './messages';
import { findCustomer, insertNotification, type Draft, type Kind, type Notification } from './store';

/** The customer has not reached this service's projection yet: a transient error, so Pub/Sub redelivers. */
export class CustomerNotKnownYet extends Error {
  constructor(customerId: string) {
    super(`customer ${customerId} is not known to notifications yet; retrying until its customer.created arrives`);
    this.name = 'CustomerNotKnownYet';
  }
}

/**
 * Creates a notification and, when it is new and pending, emits its channel request in the same
 * transaction. An existing notification for the same (source, kind, channel) is returned untouched.
 */
export async function createNotification({ tx, emit }: UnitOfWork, draft: Draft): Promise<Notification | undefined> {
  const created = await insertNotification(tx, draft);
  if (!created || created.status !== 'pending') return created;
  const correlation = created.correlation_id ? { correlationId: created.correlation_id } : undefined;
  if (created.channel === 'email') {
    await emit(
      'email.requested',
      { notification_id: created.id, to: created.recipient, subject: created.subject, text: created.body },
      correlation,
    );
  } else {
    const push = { notification_id: created.id, customer_id: created.customer_id!, title: created.subject, body: created.body };
    await emit('push.requested', push, correlation);
  }
  return created;
}

/**
 * One email and one push for a customer-facing event, worded by `message` with the customer's name.
 * A customer this service has not heard of yet is retried (CustomerNotKnownYet); a deleted one gets
 * neither message: both are recorded as failed, so the outcome stays visible.
 */
export async function notifyCustomer<N extends EventName>(
  uow: UnitOfWork,
  event: Received<N>,
  customerId: string,
  kind: Kind,
  message: (name: string) => Message,
  /** What makes this message unique when it is not the event id (e.g. the payment for a payment step), so a re-keyed copy sends nothing. */
  source: string = event.eventId,
): Promise<void> {
  const customer = await findCustomer(uow.tx, customerId);
  if (!customer) throw new CustomerNotKnownYet(customerId);
  const { email, push } = message(customer.name ?? 'customer');
  const common = {
    kind,
    customer_id: customer.id,
    source,
    source_event_type: event.type,
    correlation_id: event.envelope.correlation_id,
    ...(customer.deleted ? { status: 'failed' as const, failure_reason: 'customer deleted' } : {}),
  };
  await createNotification(uow, {
    ...common,
    channel: 'email',
    recipient: customer.email ?? '(deleted)',
    subject: email.subject,
    body: email.text,
  });
  await createNotification(uow, { ...common, channel: 'push', recipient: customer.id, subject: push.title, body: push.body });
}
