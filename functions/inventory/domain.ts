import type { EventPayload } from '../../shared/events/catalog';

/** Pure inventory decisions: no I/O. */
export interface Requested {
  product_sku: string;
  quantity: number;
}

/**
 * Items merged by SKU and sorted, so every reservation locks stock rows in the same order
 * (no deadlocks between carts) and a SKU listed twice is reserved as one line.
 */
export function reservationLines(items: Requested[]): Requested[] {
  const bySku = new Map<string, number>();
  for (const { product_sku, quantity } of items) bySku.set(product_sku, (bySku.get(product_sku) ?? 0) + quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([product_sku, quantity]) => ({ product_sku, quantity }));
}

/**
 * Why a reservation failed, given what is available now (undefined: no stock record for the SKU).
 * Unknown SKUs take precedence as the reason; details list every line that cannot be served.
 */
export function rejection(
  lines: Requested[],
  available: Map<string, number | undefined>,
): Pick<EventPayload<'stock.rejected'>, 'reason' | 'details'> {
  const details = lines
    .filter((l) => (available.get(l.product_sku) ?? 0) < l.quantity)
    .map((l) => ({ product_sku: l.product_sku, requested: l.quantity, available: available.get(l.product_sku) ?? 0 }));
  const unknown = lines.some((l) => available.get(l.product_sku) === undefined);
  return { reason: unknown ? 'unknown_sku' : 'insufficient_stock', details };
}
