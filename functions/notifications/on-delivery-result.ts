import { PermanentError } from '../../shared/errors';
import { log } from '../../shared/logger';
import { consume } from '../../shared/messaging/consumer';
import type { Tx } from '../../shared/db';
import { findNotification, settleNotification } from './store';

/** Delivery results from the channels: pending → sent / failed (with the reason); a settled notification stays as it is. */
async function settle(tx: Tx, id: string, outcome: Parameters<typeof settleNotification>[2]): Promise<void> {
  if (await settleNotification(tx, id, outcome)) return;
  const existing = await findNotification(tx, id, undefined);
  if (!existing) throw new PermanentError(`notification ${id} does not exist`);
  log.info('delivery result for a settled notification ignored', { notification_id: id, status: existing.status, outcome });
}

consume('notifications', 'notification.delivered', ({ payload }, { tx }) =>
  settle(tx, payload.notification_id, { status: 'sent' }),
);
consume('notifications', 'notification.failed', ({ payload }, { tx }) =>
  settle(tx, payload.notification_id, { status: 'failed', reason: payload.reason }),
);
