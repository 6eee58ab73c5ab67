import { config } from '../../shared/config';
import { db } from '../../shared/db';
import { inTransaction } from '../../shared/messaging/outbox';
import { cancelOrder, ownCause } from './saga';
import { awaitingPaymentSince, lockOrderIfFree } from './store';

const BATCH = 100;

/**
 * The payment timeout (a scheduled job): a confirmed order with no payment outcome after
 * PAYMENT_TIMEOUT_SECONDS is cancelled (`payment_timeout`), which returns its stock. Each order is
 * re-checked under its row lock, so an outcome that lands first wins and nothing happens twice; a
 * payment that succeeds after the cancellation is refunded by payments.
 */
export async function cancelUnpaidOrders(now = new Date()): Promise<{ cancelled: number }> {
  const before = new Date(now.getTime() - config().PAYMENT_TIMEOUT_SECONDS * 1000);
  let cancelled = 0;
  for (const id of await awaitingPaymentSince(db(), before, BATCH)) {
    await inTransaction(
      'orders',
      async (uow) => {
        const order = await lockOrderIfFree(uow.tx, id);
        if (order?.status !== 'confirmed') return;
        await cancelOrder(uow, order, { cause: 'payment_timeout', by: ownCause('job payment-timeout') });
        cancelled += 1;
      },
      { correlationId: id },
    );
  }
  return { cancelled };
}
