import { db } from '../../shared/db';
import { inTransaction } from '../../shared/messaging/outbox';
import { book } from './shipments';
import { dueOrderIds, lockIfDue } from './store';

const BATCH = 50;

/** The shipments reconciler (a scheduled job): books every shipment whose booking was parked while the carrier was down. */
export async function reconcileShipments(): Promise<{ reconciled: number }> {
  let reconciled = 0;
  for (const orderId of await dueOrderIds(db(), BATCH)) {
    await inTransaction(
      'shipments',
      async (uow) => {
        const shipment = await lockIfDue(uow.tx, orderId);
        if (!shipment) return;
        await book(uow, shipment);
        reconciled += 1;
      },
      { correlationId: orderId },
    );
  }
  return { reconciled };
}
