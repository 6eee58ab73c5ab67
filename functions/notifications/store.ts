import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { paginate, type Page } from '../../shared/http/pagination';

const CUSTOMERS = 'notifications.customers';
const NOTIFICATIONS = 'notifications.notifications';

export const kinds = [
  'order_created',
  'order_cancelled',
  'stock_rejected',
  'stock_alert',
  'payment_succeeded',
  'payment_failed',
  'refund_issued',
  'order_shipped',
  'email_verification',
  'manual',
] as const;
export const channels = ['email', 'push'] as const;
export const statuses = ['pending', 'sent', 'failed'] as const;
export type Kind = (typeof kinds)[number];
export type Channel = (typeof channels)[number];
export type Status = (typeof statuses)[number];

export interface KnownCustomer {
  id: string;
  name: string | null;
  email: string | null;
  version: number;
  deleted: boolean;
}

export interface Notification {
  id: string;
  customer_id: string | null;
  channel: Channel;
  kind: Kind;
  status: Status;
  failure_reason: string | null;
  recipient: string;
  subject: string;
  body: string;
  source: string;
  source_event_type: string;
  correlation_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export type Draft = Pick<Notification, 'channel' | 'kind' | 'customer_id' | 'recipient' | 'subject' | 'body' | 'source'> &
  Partial<Pick<Notification, 'source_event_type' | 'correlation_id' | 'status' | 'failure_reason'>>;

/** The projection write: applies a customer's state only if it is newer than what is stored. */
export async function applyCustomer(knex: Knex, customer: KnownCustomer): Promise<boolean> {
  const rows = await knex(CUSTOMERS)
    .insert({ ...customer, updated_at: knex.fn.now() })
    .onConflict('id')
    .merge()
    .where(`${CUSTOMERS}.version`, '<', customer.version)
    .returning('id');
  return rows.length > 0;
}

export async function findCustomer(knex: Knex, id: string): Promise<KnownCustomer | undefined> {
  return knex(CUSTOMERS).where({ id }).first('id', 'name', 'email', 'version', 'deleted');
}

/** Inserts a notification unless one exists for the same (source, kind, channel); undefined then. */
export async function insertNotification(knex: Knex, draft: Draft): Promise<Notification | undefined> {
  const [row] = await knex(NOTIFICATIONS)
    .insert({ id: randomUUID(), source_event_type: 'manual', ...draft })
    .onConflict(['source', 'kind', 'channel'])
    .ignore()
    .returning('*');
  return row;
}

/** pending → sent | failed; a notification that already has its outcome is left as it is (returns false). */
export async function settleNotification(
  knex: Knex,
  id: string,
  outcome: { status: 'sent' } | { status: 'failed'; reason: string },
): Promise<boolean> {
  const changed = await knex(NOTIFICATIONS)
    .where({ id, status: 'pending' })
    .update({
      status: outcome.status,
      failure_reason: outcome.status === 'failed' ? outcome.reason : null,
      updated_at: knex.fn.now(),
    });
  return changed > 0;
}

export async function findNotification(
  knex: Knex,
  id: string,
  customerId: string | undefined,
): Promise<Notification | undefined> {
  return knex(NOTIFICATIONS)
    .where({ id, ...(customerId ? { customer_id: customerId } : {}) })
    .first();
}

export interface NotificationFilter {
  customer_id?: string;
  kind?: Kind;
  channel?: Channel;
  status?: Status;
}

export async function listNotifications(
  knex: Knex,
  filter: NotificationFilter,
  page: { limit: number; cursor?: string },
): Promise<Page<Notification>> {
  const where = Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
  const query = knex(NOTIFICATIONS).select('*').where(where);
  return paginate<Notification & Record<string, unknown>>(query, ['created_at', 'id'], page);
}
