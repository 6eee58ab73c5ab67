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
  test('given the SMTP server is down, the mail is parked (no Pub/Sub retry), and the email-retry job sends it once when it is back', async () => {
    await sink.stop();
    try {
      const { customer, email } = await orderMailFor();
      const parked = await eventually(() => db()('email.parked').where({ notification_id: email.id }).first());
      const { id: eventId } = await db()('messaging.outbox')
        .where({ topic: 'email.requested' })
        .whereRaw(`data->>'notification_id' = ?`, [email.id])
        .first();
      expect(parked).toMatchObject({ attempts: 1, request_event_id: eventId, recipient: customer.email });
      expect(parked.last_error).toMatch(/ECONNREFUSED|connect|breaker/i);
      // acknowledged at once: processed, no failed delivery for Pub/Sub to retry, nothing dead-lettered
      expect(
        await db()('messaging.processed_messages').where({ consumer: 'email-on-email-requested', event_id: eventId }),
      ).toHaveLength(1);
      expect(await db()('messaging.delivery_failures').where({ consumer: 'email-on-email-requested' })).toHaveLength(0);
      expect((await emailStatus(email.id)).status).toBe('pending');
      const health = await system.http('email')('GET', '/');
      expect(health.status).toBe(503);
      expect(health.body.checks.smtp).toMatch(/^failing: /);

      // while it stays down, each run of the job counts one more attempt and backs off
      await db()('email.parked')
        .where({ notification_id: email.id })
        .update({ next_attempt_at: new Date(0) });
      await system.runJob('email-retry');
      const again = await db()('email.parked').where({ notification_id: email.id }).first();
      expect(again.attempts).toBe(2);
      expect(again.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
      expect(mailsTo(sink, customer.email)).toHaveLength(0);

      await sink.start();
      await eventually(
        async () => {
          await db()('email.parked')
            .where({ notification_id: email.id })
            .update({ next_attempt_at: new Date(0) });
          await system.runJob('email-retry');
          return (await emailStatus(email.id)).status === 'sent';
        },
        40_000,
        'the parked mail after the outage',
      );
      await settle();
      expect(mailsTo(sink, customer.email)).toHaveLength(1);
      expect(await db()('email.parked').where({ notification_id: email.id })).toHaveLength(0);
      const delivered = await db()('messaging.outbox')
        .where({ topic: 'notification.delivered' })
        .whereRaw(`data->>'notification_id' = ?`, [email.id]);
      expect(delivered).toHaveLength(1);
      expect(delivered[0].attributes.causation_id).toBe(eventId); // a re-driven request re-publishes it (consumer.ts)
      expect(await db()('messaging.dead_letters').where({ consumer: 'email-on-email-requested' })).toHaveLength(0);
    } finally {
      await sink.start();
    }
  }, 90_000);

  test('given a parked mail, when its email.requested comes again, then it is neither sent nor parked twice', async () => {
    await sink.stop();
    let customer: { email: string };
    let email: { id: string };
    try {
      ({ customer, email } = await orderMailFor());
      await eventually(() => db()('email.parked').where({ notification_id: email.id }).first());
      const request = await db()('messaging.outbox')
        .where({ topic: 'email.requested' })
        .whereRaw(`data->>'notification_id' = ?`, [email.id])
        .first();
      const copyId = randomUUID();
      await publishRaw('email.requested', JSON.stringify(request.data), { ...request.attributes, event_id: copyId });
      await eventually(() => db()('messaging.processed_messages').where({ event_id: copyId }).first());
      expect((await db()('email.parked').where({ notification_id: email.id }).first()).attempts).toBe(1);
    } finally {
      await sink.start();
    }
    await eventually(
      async () => {
        await db()('email.parked')
          .where({ notification_id: email.id })
          .update({ next_attempt_at: new Date(0) });
        await system.runJob('email-retry');
        return (await emailStatus(email.id)).status === 'sent';
      },
      40_000,
      'the parked mail',
    );
    await settle();
    expect(mailsTo(sink, customer.email)).toHaveLength(1);
  }, 90_000);

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
    // the sink has the mail as soon as the server accepts it; the delivery is recorded right after
    const delivery = await eventually(() => db()('email.deliveries').where({ notification_id: email.id }).first());
    expect(delivery).toMatchObject({ status: 'sent', message_id: `<${email.id}@shopflow>` });
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
