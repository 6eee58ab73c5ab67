import { db } from '../../shared/db';
import { inTransaction } from '../../shared/messaging/outbox';
import { reconcile } from './payments';
import { dueOrderIds, lockIfDue } from './store';

const BATCH = 50;

/**
 * The payments reconciler (a scheduled job): every payment whose provider work is due — a charge
 * parked during an outage, a charge or refund whose webhook is overdue, a refund a webhook made
 * necessary — is re-driven, each in its own transaction with the events it causes.
 */
export async function reconcilePayments(): Promise<{ reconciled: number }> {
  let reconciled = 0;
  for (const orderId of await dueOrderIds(db(), BATCH)) {
    await inTransaction(
      'payments',
      async (uow) => {
        const payment = await lockIfDue(uow.tx, orderId);
        if (!payment) return;
        await reconcile(uow, payment);
        reconciled += 1;
      },
      { correlationId: orderId },
    );
  }
  return { reconciled };
}
