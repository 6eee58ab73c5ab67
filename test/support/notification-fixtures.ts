import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import type { EventName } from '../../shared/events/catalog';
import type { ServiceName } from '../../shared/topology';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { publishRaw, startSystem, type TestSystem } from './harness';

/**
 * Events as upstream services publish them (payload + envelope attributes), and what the
 * notification channels produced, for the notifications, email and push tests.
 */
/** A test system whose email service sends to a fresh SMTP sink on loopback (and lists it at GET /mail). */
export async function startWithSmtpSink(
  services: ServiceName[],
): Promise<{ system: TestSystem; sink: SmtpSink; stop(): Promise<void> }> {
  const sink = await startSmtpSink({ listPort: 0 });
  Object.assign(process.env, { SMTP_URL: sink.url, MAIL_SINK_URL: sink.listUrl });
  const system = await startSystem(services);
  return {
    system,
    sink,
    stop: async () => {
      await system.stop();
      await sink.close();
    },
  };
}

export async function publishEvent(
  type: EventName,
  payload: object,
  options: { eventId?: string; correlationId?: string } = {},
): Promise<{ eventId: string; messageId: string }> {
  const eventId = options.eventId ?? randomUUID();
  const messageId = await publishRaw(type, JSON.stringify(payload), {
    event_id: eventId,
    event_type: type,
    event_version: '1',
    occurred_at: new Date().toISOString(),
    correlation_id: options.correlationId ?? eventId,
  });
  return { eventId, messageId };
}

/** The same event (one event_id) published `times` times at once: each publish gets a new message id. */
export async function publishConcurrently(times: number, type: EventName, payload: object, eventId = randomUUID()) {
  const published = await Promise.all(Array.from({ length: times }, () => publishEvent(type, payload, { eventId })));
  return { eventId, messageIds: published.map((p) => p.messageId) };
}

export interface TestCustomer {
  customer_id: string;
  name: string;
  email: string;
}

export const newCustomer = (email?: string): TestCustomer => {
  const customer_id = randomUUID();
  return { customer_id, name: `Customer ${customer_id.slice(0, 8)}`, email: email ?? `${customer_id}@example.com` };
};

export const customerCreated = (c: TestCustomer, version = 1) => publishEvent('customer.created', { ...c, version });

export const orderCreatedPayload = (customerId: string) => ({
  order_id: randomUUID(),
  cart_id: randomUUID(),
  customer_id: customerId,
  items: [
    { product_sku: 'LAPTOP-001', quantity: 2, unit_price: 1299.99 },
    { product_sku: 'MOUSE-001', quantity: 1, unit_price: 39.9 },
  ],
  total: 2639.88,
  status: 'confirmed',
});

export const orderCancelledPayload = (customerId: string) => ({
  order_id: randomUUID(),
  cart_id: randomUUID(),
  customer_id: customerId,
  items: [{ product_sku: 'PHONE-001', quantity: 1, unit_price: 799 }],
  reason: 'cancelled by request',
  cause: 'requested' as const,
  previous_status: 'paid' as const,
});

export const stockRejectedPayload = (customerId: string) => ({
  cart_id: randomUUID(),
  customer_id: customerId,
  reason: 'insufficient_stock',
  details: [{ product_sku: 'CABLE-001', requested: 5, available: 3 }],
});

/** The notifications an event produced, by channel. */
export const notificationsFor = (eventId: string) =>
  db()('notifications.notifications').where({ source: eventId }).orderBy(['kind', 'channel']);

export const mailsTo = (sink: SmtpSink, address: string): ReceivedMail[] =>
  sink.received.filter((m) => m.envelope_to.includes(address.toLowerCase()));

export const inboxOf = (customerId: string) => db()('push.inbox').where({ customer_id: customerId });
