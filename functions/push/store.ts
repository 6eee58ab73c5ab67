import type { Knex } from 'knex';
import { paginate, type Page } from '../../shared/http/pagination';
import type { PushMessage } from './provider';

const INBOX = 'push.inbox';

export interface InboxEntry extends PushMessage {
  provider: string;
  provider_message_id: string | null;
  received_at: Date;
}

/** Stores a message in its customer's inbox; false when this notification is already there. */
export async function addToInbox(knex: Knex, message: PushMessage, provider: string): Promise<boolean> {
  const rows = await knex(INBOX)
    .insert({ ...message, provider })
    .onConflict('notification_id')
    .ignore()
    .returning('notification_id');
  return rows.length > 0;
}

export async function setProviderMessageId(knex: Knex, notificationId: string, providerMessageId: string): Promise<void> {
  await knex(INBOX).where({ notification_id: notificationId }).update({ provider_message_id: providerMessageId });
}

export async function listInbox(
  knex: Knex,
  customerId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<InboxEntry>> {
  const query = knex(INBOX).select('*').where({ customer_id: customerId });
  return paginate<InboxEntry & Record<string, unknown>>(query, ['received_at', 'notification_id'], page);
}
