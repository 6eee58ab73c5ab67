import type { Knex } from 'knex';

/**
 * The SQL of a table that holds one row of provider work per order (a payment, a shipment): the
 * unique `order_id` decides which insert wins, the row is locked for changes, read by its owner,
 * and a `pending` row is due for its reconciler at once.
 */
export function orderWorkTable<Row extends { id: string; status: string }>(table: string) {
  return {
    /** Inserts the order's one row; false when the order already has one. */
    async insert(tx: Knex.Transaction, row: Partial<Row> & Pick<Row, 'id' | 'status'> & { order_id: string }): Promise<boolean> {
      const inserted = await tx(table)
        .insert({ ...row, next_attempt_at: row.status === 'pending' ? tx.fn.now() : null })
        .onConflict('order_id')
        .ignore()
        .returning('id');
      return inserted.length > 0;
    },
    /** The order's row, locked for the rest of the transaction (concurrent changes queue behind). */
    lockOfOrder: (tx: Knex.Transaction, orderId: string): Promise<Row | undefined> =>
      tx(table).where({ order_id: orderId }).forUpdate().first(),
    /** The order's row as its customer (or an admin, without `customerId`) may see it. */
    findOfOrder: (knex: Knex, orderId: string, customerId?: string): Promise<Row | undefined> =>
      knex(table)
        .where({ order_id: orderId, ...(customerId ? { customer_id: customerId } : {}) })
        .first(),
    async update(tx: Knex.Transaction, id: string, changes: Partial<Row>): Promise<void> {
      await tx(table)
        .where({ id })
        .update({ ...changes, updated_at: tx.fn.now() });
    },
  };
}
