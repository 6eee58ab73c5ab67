import type { Knex } from 'knex';

const DELIVERIES = 'email.deliveries';

export interface Delivery {
  notification_id: string;
  message_id: string;
  recipient: string;
  subject: string;
  status: 'sent' | 'rejected';
  smtp_response: string | null;
}

/** Serialises every attempt at one notification's mail until the transaction ends. */
export async function lockNotification(tx: Knex.Transaction, notificationId: string): Promise<void> {
  await tx.raw(`select pg_advisory_xact_lock(hashtext('email.deliveries'), hashtext(?))`, [notificationId]);
}

export async function findDelivery(knex: Knex, notificationId: string): Promise<Delivery | undefined> {
  return knex(DELIVERIES).where({ notification_id: notificationId }).first();
}

export async function recordDelivery(knex: Knex, delivery: Delivery): Promise<void> {
  await knex(DELIVERIES).insert(delivery);
}

const PARKED = 'email.parked';

/** A mail waiting for the SMTP server: what to send, and the request it answers (for the delivery event's cause). */
export interface ParkedMail {
  notification_id: string;
  request_event_id: string;
  correlation_id: string;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string;
}

export async function findParked(knex: Knex, notificationId: string): Promise<ParkedMail | undefined> {
  return knex(PARKED).where({ notification_id: notificationId }).first();
}

/** Parks a mail, or records one more failed attempt of a parked one. */
export async function park(knex: Knex, mail: ParkedMail): Promise<void> {
  await knex(PARKED).insert(mail).onConflict('notification_id').merge(['attempts', 'next_attempt_at', 'last_error']);
}

export async function unpark(knex: Knex, notificationId: string): Promise<void> {
  await knex(PARKED).where({ notification_id: notificationId }).delete();
}

/** Parked mail whose next attempt is due, oldest first. */
export async function dueParked(
  knex: Knex,
  limit: number,
  now = new Date(),
): Promise<Pick<ParkedMail, 'notification_id' | 'correlation_id' | 'request_event_id'>[]> {
  return knex(PARKED)
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .select('notification_id', 'correlation_id', 'request_event_id');
}

/** The parked mail, locked, when it is still parked and due (another run may have sent it meanwhile). */
export async function lockParkedIfDue(
  tx: Knex.Transaction,
  notificationId: string,
  now = new Date(),
): Promise<ParkedMail | undefined> {
  return tx(PARKED)
    .where({ notification_id: notificationId })
    .where('next_attempt_at', '<=', now)
    .forUpdate()
    .skipLocked()
    .first();
}
