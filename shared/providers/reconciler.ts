import type { Knex } from 'knex';
import { db } from '../db';
import { inTransaction, type UnitOfWork } from '../messaging/outbox';

/**
 * A reconciler job over one service's parked provider work: every row of `table` in one of
 * `statuses` whose `next_attempt_at` has come is handed to `step`, each in its own transaction
 * (with the events it emits), locked with SKIP LOCKED so concurrent runs take different rows.
 * Rows are keyed by `order_id` (one payment or shipment per order).
 */
const BATCH = 50;

export async function reconcileDue<Row>(spec: {
  service: string;
  table: string;
  statuses: readonly string[];
  step: (uow: UnitOfWork, row: Row) => Promise<unknown>;
}): Promise<{ reconciled: number }> {
  const due = (q: Knex.QueryBuilder, knex: Knex) =>
    q.whereIn('status', spec.statuses).where('next_attempt_at', '<=', knex.fn.now());
  const orderIds: string[] = await due(db()(spec.table), db()).orderBy('next_attempt_at').limit(BATCH).pluck('order_id');
  let reconciled = 0;
  for (const orderId of orderIds) {
    await inTransaction(
      spec.service,
      async (uow) => {
        const row = (await due(uow.tx(spec.table).where({ order_id: orderId }), uow.tx)
          .forUpdate()
          .skipLocked()
          .first()) as Row | undefined;
        if (!row) return; // done meanwhile, or another run has it
        await spec.step(uow, row);
        reconciled += 1;
      },
      { correlationId: orderId },
    );
  }
  return { reconciled };
}
