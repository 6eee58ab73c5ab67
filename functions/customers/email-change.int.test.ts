import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import type { SmtpSink } from '../../scripts/stack/smtp-sink';
import { eventually, type TestSystem } from '../../test/support/harness';
import { mailsTo, startWithSmtpSink } from '../../test/support/notification-fixtures';

/** An email change, verified through the real mail path: customers → notifications → email → SMTP. */
let system: TestSystem;
let sink: SmtpSink;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ system, sink, stop } = await startWithSmtpSink(['customers', 'notifications', 'email']));
});
afterAll(() => stop());

describe('verifying a new email address by mail', () => {
  test('the new address gets a code and nothing the customer wrote; with the code, mail goes to the new address', async () => {
    const customers = system.http('customers');
    const oldAddress = `${randomUUID()}@example.com`;
    const newAddress = `${randomUUID()}@example.com`;
    const me = (await customers('POST', '/customers', { body: { name: 'Sneaky Name', email: oldAddress } })).body;
    await eventually(() => db()('notifications.customers').where({ id: me.id }).first());

    await customers('PUT', `/customers/${me.id}`, { customer: me.id, body: { email: newAddress } });
    const [mail] = await eventually(async () => mailsTo(sink, newAddress).length > 0 && mailsTo(sink, newAddress), 30_000);
    expect(mail.subject).toBe('Confirm your email address for ShopFlow');
    expect(mail.text).not.toContain('Sneaky');
    const token = /^ {2}(\S{43})$/m.exec(mail.text)![1];
    expect(mailsTo(sink, oldAddress)).toHaveLength(0);

    // the code is in the mailbox only: the customer's own notification list does not show it
    const mine = await system.http('notifications')('GET', '/notifications', { customer: me.id });
    expect(mine.body.data).toEqual([]);
    expect((await db()('notifications.customers').where({ id: me.id }).first()).email).toBe(oldAddress);

    const verified = await customers('POST', `/customers/${me.id}/verify-email`, { customer: me.id, body: { token } });
    expect(verified.body.email).toBe(newAddress);
    await eventually(async () => (await db()('notifications.customers').where({ id: me.id }).first()).email === newAddress);
  });
});
