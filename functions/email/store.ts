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
