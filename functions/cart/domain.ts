import type { LineItem } from '../../shared/events/fields';
import { MAX_CENTS, toCents } from '../../shared/money';

/** Pure cart rules: what a cart may hold so that it can always become an order. No I/O. */
export const MAX_UNITS_PER_SKU = 10_000;
/** The order-requested event carries at most this many lines (shared/events/fields.ts). */
export const MAX_LINES = 100;

export type CartProblem =
  | { code: 'too_many_items'; message: string }
  | { code: 'cart_total_limit'; message: string }
  | { code: 'unavailable_products'; message: string; details: string[] };

/** Why a cart could never become an order: more lines than an order carries, or a total above the largest order amount. */
export function limitProblem(items: LineItem[]): CartProblem | undefined {
  if (items.length > MAX_LINES)
    return { code: 'too_many_items', message: `a cart holds at most ${MAX_LINES} different products` };
  const total = items.reduce((sum, i) => sum + i.quantity * toCents(i.unit_price), 0);
  if (total > MAX_CENTS) return { code: 'cart_total_limit', message: `a cart total may be at most ${MAX_CENTS / 100}` };
  return undefined;
}

/** Why these items cannot be ordered now: a limit, or products no longer in the catalog. */
export function checkoutProblem(items: LineItem[], liveSkus: ReadonlySet<string>): CartProblem | undefined {
  const limit = limitProblem(items);
  if (limit) return limit;
  const gone = items.map((i) => i.product_sku).filter((sku) => !liveSkus.has(sku));
  if (gone.length > 0) return { code: 'unavailable_products', message: 'some products are no longer sold', details: gone };
  return undefined;
}
