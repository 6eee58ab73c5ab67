import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import type { SmtpSink } from '../../scripts/stack/smtp-sink';
import { eventually, publishRaw, settle, type TestSystem } from '../../test/support/harness';
import {
  customerCreated,
  mailsTo,
  newCustomer,
  notificationsFor,
  orderCreatedPayload,
  publishEvent,
  startWithSmtpSink,
} from '../../test/support/notification-fixtures';

/** The email channel against a real SMTP server on loopback that can be stopped and started. */
let system: TestSystem;
let sink: SmtpSink;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ system, sink, stop } = await startWithSmtpSink(['notifications', 'email', 'push']));
});
afterAll(() => stop());

/** A known customer's order confirmation; resolves with the email notification once it is no longer pending. */
async function orderMailFor(customer = newCustomer()) {
  await customerCreated(customer);
  const { eventId } = await publishEvent('order.created', orderCreatedPayload(customer.customer_id));
  const email = await eventually(async () => (await notificationsFor(eventId)).find((n) => n.channel === 'email'));
  return { customer, eventId, email };
}

const emailStatus = (id: string) => db()('notifications.notifications').where({ id }).first();

describe('email delivery', () => {
  test('given the SMTP server is down, when it comes back, then the mail is sent once and the notification ends sent', async () => {
    await sink.stop();
    try {
      const { customer, email } = await orderMailFor();
      await eventually(() => db()('messaging.delivery_failures').where({ consumer: 'email-on-email-requested' }).first());
      expect((await emailStatus(email.id)).status).toBe('pending');
      expect(mailsTo(sink, customer.email)).toHaveLength(0);
      const health = await system.http('email')('GET', '/');
      expect(health.status).toBe(503);
      expect(health.body.checks.smtp).toMatch(/^failing: /);

      await sink.start();
      await eventually(async () => (await emailStatus(email.id)).status === 'sent', 30_000, 'the mail after the outage');
      expect((await system.http('email')('GET', '/')).body).toMatchObject({ status: 'ok', checks: { smtp: 'ok' } });
      await settle();
      expect(mailsTo(sink, customer.email)).toHaveLength(1);
      const [failure] = await db()('messaging.delivery_failures').where({ consumer: 'email-on-email-requested' });
      expect(failure.last_error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await sink.start();
    }
  });

  test('given a mail already sent, when its email.requested comes again with a new event id, then it is not sent again', async () => {
    const { customer, email } = await orderMailFor();
    await eventually(async () => (await emailStatus(email.id)).status === 'sent');
    const request = await db()('messaging.outbox')
      .where({ topic: 'email.requested' })
      .whereRaw(`data->>'notification_id' = ?`, [email.id])
      .first();

    const replayedId = randomUUID();
    await publishRaw('email.requested', JSON.stringify(request.data), { ...request.attributes, event_id: replayedId });
    await eventually(() => db()('messaging.processed_messages').where({ event_id: replayedId }).first());
    await settle();
    expect(mailsTo(sink, customer.email)).toHaveLength(1);
    expect(
      await db()('messaging.outbox')
        .where({ topic: 'notification.delivered' })
        .whereRaw(`data->>'notification_id' = ?`, [email.id]),
    ).toHaveLength(1);
  });

  test('each mail carries a Message-ID from its notification id, the configured sender and the customer as recipient', async () => {
    const { customer, email } = await orderMailFor();
    const [mail] = await eventually(async () => mailsTo(sink, customer.email).length === 1 && mailsTo(sink, customer.email));
    expect(mail).toMatchObject({
      message_id: `<${email.id}@shopflow>`,
      from: 'ShopFlow <no-reply@shopflow.local>',
      to: customer.email,
      envelope_to: [customer.email],
      subject: email.subject,
      text: email.body,
    });
    expect(await db()('email.deliveries').where({ notification_id: email.id }).first()).toMatchObject({
      status: 'sent',
      message_id: `<${email.id}@shopflow>`,
    });
  });

  test('GET /mail shows what the local SMTP sink received, newest first, to an admin only', async () => {
    const { customer } = await orderMailFor();
    await eventually(async () => mailsTo(sink, customer.email).length === 1);
    const res = await system.http('email')('GET', '/mail');
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({
      envelope_to: [customer.email],
      subject: expect.stringContaining('Order confirmed'),
    });
    expect((await system.http('email')('GET', '/mail', { customer: customer.customer_id })).status).toBe(403);
    expect((await system.http('email')('GET', '/')).body).toMatchObject({ status: 'ok', service: 'email' });
  });
});
