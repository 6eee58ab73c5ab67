import { db } from '../../shared/db';
import { sleep, type Answer } from './client';
import { PRODUCTS } from './workload';

/**
 * I1 during the run: a loop that restocks now and then (the only explicit inventory edits) and
 * takes consistent snapshots (one repeatable-read transaction) in between. Each snapshot must show,
 * per SKU, nothing negative, `reserved` and `sold` equal to the reservations that hold them, and
 * available + reserved + sold equal to the total the last edit left (its answer is the row after it).
 */
export interface InventoryAudit {
  snapshots: number;
  failedSnapshots: number;
  restocks: number;
  violations: string[];
}

export async function auditInventory(
  restock: (sku: string, available: number) => Promise<Answer>,
  until: () => boolean,
  everyMs: number,
): Promise<InventoryAudit> {
  const audit: InventoryAudit = { snapshots: 0, failedSnapshots: 0, restocks: 0, violations: [] };
  const expected = new Map(PRODUCTS.map((p) => [p.sku, p.units]));
  for (let round = 0; !until(); round++) {
    if (round % 10 === 9) {
      for (const p of PRODUCTS) {
        const row = (await db()('inventory.stock')
          .where({ product_sku: p.sku })
          .first()
          .catch(() => undefined)) as { available: number } | undefined;
        if (!row || row.available > p.units / 4) continue;
        const answer = await restock(p.sku, row.available + Math.ceil(p.units / 2));
        if (answer.status !== 200) continue; // not applied (or unknown): the next snapshot tells
        audit.restocks++;
        expected.set(p.sku, answer.body.quantity + answer.body.reserved + (answer.body.sold ?? 0));
      }
    }
    try {
      for (const problem of await snapshot(expected)) audit.violations.push(problem);
      audit.snapshots++;
    } catch {
      audit.failedSnapshots++; // PostgreSQL is down: no snapshot this round
    }
    await sleep(everyMs);
  }
  return audit;
}

async function snapshot(expected: Map<string, number>): Promise<string[]> {
  return db().transaction(
    async (tx) => {
      const stock = await tx('inventory.stock').whereIn('product_sku', [...expected.keys()]);
      const held = await tx('inventory.reservation_items as i')
        .join('inventory.reservations as r', 'r.id', 'i.reservation_id')
        .whereIn('r.status', ['reserved', 'sold'])
        .groupBy('i.product_sku', 'r.status')
        .select('i.product_sku', 'r.status', tx.raw('sum(i.quantity)::int as units'));
      const units = (sku: string, status: string) =>
        held.find((h: { product_sku: string; status: string }) => h.product_sku === sku && h.status === status)?.units ?? 0;
      const problems: string[] = [];
      for (const row of stock) {
        const sku = row.product_sku;
        if (row.available < 0 || row.reserved < 0 || row.sold < 0) problems.push(`${sku}: negative ${JSON.stringify(row)}`);
        if (row.reserved !== units(sku, 'reserved'))
          problems.push(`${sku}: reserved ${row.reserved} ≠ reservations ${units(sku, 'reserved')}`);
        if (row.sold !== units(sku, 'sold')) problems.push(`${sku}: sold ${row.sold} ≠ reservations ${units(sku, 'sold')}`);
        const total = row.available + row.reserved + row.sold;
        if (total !== expected.get(sku)) problems.push(`${sku}: available+reserved+sold ${total} ≠ ${expected.get(sku)}`);
      }
      return problems;
    },
    { isolationLevel: 'repeatable read' },
  );
}
