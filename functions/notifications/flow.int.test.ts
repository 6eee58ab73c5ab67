import { db } from '../../shared/db';
import type { SmtpSink } from '../../scripts/stack/smtp-sink';
import { consumerFunctionName } from '../../shared/topology';
import { eventually, settle, type TestSystem } from '../../test/support/harness';
import { losingFor } from '../../test/support/lose';
import {
  customerCreated,
  inboxOf,
  mailsTo,
  newCustomer,
  notificationsFor,
  orderCancelledPayload,
  orderCreatedPayload,
  publishConcurrently,
  publishEvent,
  stockRejectedPayload,
  startWithSmtpSink,
} from '../../test/support/notification-fixtures';

/**
 * Customer-facing events published to their topics as upstream services do, through the real
 * emulator, to the notifications, email and push services, with a real SMTP server on loopback.
 */
let sink: SmtpSink;
let stop: () => Promise<void>;
let system: TestSystem;

beforeAll(async () => {
  process.env.NOTIFICATION_REDRIVE_AFTER_SECONDS = '1'; // only where a test runs the job itself
  ({ sink, stop, system } = await startWithSmtpSink(['notifications', 'email', 'push']));
});
afterAll(() => stop());

const sentBoth = (eventId: string) =>
  eventually(
    async () => {
      const rows = (await notificationsFor(eventId)).filter((n) => n.kind !== 'stock_alert');
      return rows.length === 2 && rows.every((n) => n.status === 'sent') && rows;
    },
    30_000,
    `both notifications of ${eventId} sent`,
  );

describe('notifications of customer-facing events', () => {
  test.each([
    ['order.created', orderCreatedPayload, 'Order confirmed: ', ['2 × LAPTOP-001 at 1299.99 = 2599.98', 'Total: 2639.88']],
    [
      'order.cancelled',
      orderCancelledPayload,
      'Order cancelled: ',
      ['Reason: cancelled by request', 'Order value: 799.00', 'will be refunded'],
    ],
    [
      'stock.rejected',
      stockRejectedPayload,
      'We could not place your order',
      ['CABLE-001: you asked for 5, 3 available (2 short)'],
    ],
  ] as const)(
    'given %s delivered four times at once, then the customer gets exactly one mail and one push, both sent',
    async (type, payloadFor, subject, lines) => {
      const customer = newCustomer();
      await customerCreated(customer);
      const payload = payloadFor(customer.customer_id);
      const { eventId, messageIds } = await publishConcurrently(4, type, payload);
      expect(new Set(messageIds).size).toBe(4);

      const [email, push] = await sentBoth(eventId);
      expect(email).toMatchObject({ channel: 'email', customer_id: customer.customer_id, recipient: customer.email });
      expect(push).toMatchObject({ channel: 'push', customer_id: customer.customer_id });
      await settle();

      const mails = mailsTo(sink, customer.email);
      expect(mails).toHaveLength(1);
      expect(mails[0].message_id).toBe(`<${email.id}@shopflow>`);
      expect(mails[0].subject).toContain(subject);
      for (const line of lines) expect(mails[0].text).toContain(line);
      expect(mails[0].text).toContain(`Hello ${customer.name},`);
      const inbox = await inboxOf(customer.customer_id);
      expect(inbox).toHaveLength(1);
      expect(inbox[0]).toMatchObject({ notification_id: push.id, title: push.subject, body: push.body });
    },
  );

  test('given a mail request its channel has not reached yet, busy with older ones, then notifications-redrive leaves it queued until the channel is past it', async () => {
    const customer = newCustomer();
    await customerCreated(customer);
    const order = () => publishEvent('order.created', orderCreatedPayload(customer.customer_id));
    const earlier = await order();
    const earlierMail = (await sentBoth(earlier.eventId)).find((n) => n.channel === 'email')!;
    const queued = await losingFor('email', 'email.requested', order);
    const mail = async () => (await notificationsFor(queued.eventId)).find((n) => n.channel === 'email');
    await eventually(async () => (await mail())?.status === 'pending', 20_000, 'the pending mail');
    await new Promise((r) => setTimeout(r, 1_200));
    // the channel processed something just now, published before the request: it is working through a backlog
    const request = await db()('messaging.outbox')
      .where({ topic: 'email.requested' })
      .whereRaw(`data->>'notification_id' = ?`, [earlierMail.id])
      .first('id');
    await db()('messaging.processed_messages')
      .where({ consumer: consumerFunctionName('email', 'email.requested'), event_id: request.id })
      .update({ processed_at: db().fn.now() });

    await system.runJob('notifications-redrive');
    expect(await mail()).toMatchObject({ status: 'pending', redrive_count: 0 });

    await sentBoth((await order()).eventId); // the channel gets past it: the request was lost
    await system.runJob('notifications-redrive');
    expect(await mail()).toMatchObject({ redrive_count: 1 });
    await eventually(async () => (await mail())?.status === 'sent', 20_000, 'the lost mail sent');
  });

  test('given stock.rejected, then the stock manager gets one alert with what was short and by how much', async () => {
    const customer = newCustomer();
    await customerCreated(customer);
    const { eventId } = await publishConcurrently(3, 'stock.rejected', stockRejectedPayload(customer.customer_id));
    const alert = await eventually(async () => {
      const row = (await notificationsFor(eventId)).find((n) => n.kind === 'stock_alert');
      return row?.status === 'sent' && row;
    });
    expect(alert).toMatchObject({ channel: 'email', customer_id: null, recipient: 'stock-manager@shopflow.local' });
    await settle();
    const alerts = sink.received.filter((m) => m.message_id === `<${alert.id}@shopflow>`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].subject).toBe('Stock shortfall: CABLE-001 (2 short)');
    expect(alerts[0].text).toContain('CABLE-001: requested 5, available 3, short 2');
  });

  test('given the dedupe records are gone (pruned), when the event is re-published, then nothing new is created or sent', async () => {
    const customer = newCustomer();
    await customerCreated(customer);
    const payload = orderCreatedPayload(customer.customer_id);
    const { eventId } = await publishEvent('order.created', payload);
    await sentBoth(eventId);
    await settle();
    await db()('messaging.processed_messages').where({ event_id: eventId }).delete();

    await publishEvent('order.created', payload, { eventId });
    await eventually(async () => (await db()('messaging.processed_messages').where({ event_id: eventId })).length > 0);
    await settle();
    expect(await notificationsFor(eventId)).toHaveLength(2);
    expect(mailsTo(sink, customer.email)).toHaveLength(1);
    expect(await inboxOf(customer.customer_id)).toHaveLength(1);
  });

  test('given an order for a customer not known yet, when customer.created arrives later, then the notifications go out once', async () => {
    const customer = newCustomer();
    const { eventId } = await publishEvent('order.created', orderCreatedPayload(customer.customer_id));
    await eventually(
      () => db()('messaging.delivery_failures').where({ event_id: eventId, consumer: 'notifications-on-order-created' }).first(),
      20_000,
      'a retried delivery',
    );
    expect(await notificationsFor(eventId)).toHaveLength(0);

    await customerCreated(customer);
    await sentBoth(eventId);
    await settle();
    expect(mailsTo(sink, customer.email)).toHaveLength(1);
    expect(await inboxOf(customer.customer_id)).toHaveLength(1);
  });

  test('given customer events out of order, then the newest address is used and the older event changes nothing', async () => {
    const customer = newCustomer();
    const newer = { ...customer, email: `new-${customer.email}` };
    await publishEvent('customer.updated', { ...newer, version: 2 });
    await eventually(() => db()('notifications.customers').where({ id: customer.customer_id, version: 2 }).first());
    await customerCreated(customer, 1);
    await settle();

    const { eventId } = await publishEvent('order.created', orderCreatedPayload(customer.customer_id));
    const [email] = await sentBoth(eventId);
    expect(email.recipient).toBe(newer.email);
    expect(mailsTo(sink, newer.email)).toHaveLength(1);
    expect(mailsTo(sink, customer.email)).toHaveLength(0);
  });

  test('given a deleted customer, then nothing is sent and both notifications are failed with the reason', async () => {
    const customer = newCustomer();
    await customerCreated(customer);
    await publishEvent('customer.deleted', { customer_id: customer.customer_id, version: 2 });
    await eventually(() => db()('notifications.customers').where({ id: customer.customer_id, deleted: true }).first());

    const { eventId } = await publishEvent('order.cancelled', orderCancelledPayload(customer.customer_id));
    const rows = await eventually(async () => {
      const found = await notificationsFor(eventId);
      return found.length === 2 && found;
    });
    expect(rows.map((n) => [n.channel, n.status, n.failure_reason])).toEqual([
      ['email', 'failed', 'customer deleted'],
      ['push', 'failed', 'customer deleted'],
    ]);
    await settle();
    expect(mailsTo(sink, customer.email)).toHaveLength(0);
    expect(await inboxOf(customer.customer_id)).toHaveLength(0);
  });

  test('given a recipient the SMTP server refuses for good, then the email ends failed with the reason and the push is still sent', async () => {
    const customer = newCustomer(`refused-${Date.now()}@reject.test`);
    await customerCreated(customer);
    const { eventId } = await publishEvent('order.created', orderCreatedPayload(customer.customer_id));
    const rows = await eventually(async () => {
      const found = await notificationsFor(eventId);
      return found.length === 2 && found.every((n) => n.status !== 'pending') && found;
    });
    expect(rows[0]).toMatchObject({ channel: 'email', status: 'failed' });
    expect(rows[0].failure_reason).toMatch(/^recipient rejected: 550/);
    expect(rows[1]).toMatchObject({ channel: 'push', status: 'sent' });
    await settle();
    expect(mailsTo(sink, customer.email)).toHaveLength(0);
    expect(await db()('messaging.delivery_failures').where({ consumer: 'email-on-email-requested' })).toHaveLength(0);
  });
});
