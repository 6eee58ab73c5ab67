import { PermanentError } from '../../shared/errors';
import type { LineItem } from '../../shared/events/fields';
import { MAX_CENTS, toCents } from '../../shared/money';

/** Pure cart rules: what a cart may hold so that it can always become an order, and abuse limits. No I/O. */
export const MAX_UNITS_PER_SKU = 10_000;
/** The order-requested event carries at most this many lines (shared/events/fields.ts). */
export const MAX_LINES = 100;

export interface Limits {
  /** Units in one order, all lines together (hoarding). */
  maxUnitsPerOrder: number;
}

export type CartProblem =
  | { code: 'too_many_items'; message: string }
  | { code: 'too_many_units'; message: string }
  | { code: 'cart_total_limit'; message: string }
  | { code: 'unavailable_products'; message: string; details: string[] };

/** Why a cart could never become an order: more lines or units than an order may carry, or a total above the largest amount. */
export function limitProblem(items: LineItem[], limits: Limits): CartProblem | undefined {
  if (items.length > MAX_LINES)
    return { code: 'too_many_items', message: `a cart holds at most ${MAX_LINES} different products` };
  const units = items.reduce((sum, i) => sum + i.quantity, 0);
  if (units > limits.maxUnitsPerOrder)
    return { code: 'too_many_units', message: `an order holds at most ${limits.maxUnitsPerOrder} units` };
  const total = items.reduce((sum, i) => sum + i.quantity * toCents(i.unit_price), 0);
  if (total > MAX_CENTS) return { code: 'cart_total_limit', message: `a cart total may be at most ${MAX_CENTS / 100}` };
  return undefined;
}

/** Why these items cannot be ordered now: a limit, or products no longer in the catalog. */
export function checkoutProblem(items: LineItem[], liveSkus: ReadonlySet<string>, limits: Limits): CartProblem | undefined {
  const limit = limitProblem(items, limits);
  if (limit) return limit;
  const gone = items.map((i) => i.product_sku).filter((sku) => !liveSkus.has(sku));
  if (gone.length > 0) return { code: 'unavailable_products', message: 'some products are no longer sold', details: gone };
  return undefined;
}

/** A customer with this many orders neither paid nor cancelled may not place another. */
export const openOrdersProblem = (open: number, max: number): string | undefined =>
  open >= max ? `at most ${max} orders may wait for payment at once; pay or cancel one first` : undefined;

/**
 * An event about a cart must name the cart's owner: one that names someone else is forged or broken,
 * and retrying cannot fix it (the consumer wrapper dead-letters a PermanentError, visible with its reason).
 */
export function assertOwner(cart: { id: string; customer_id: string }, customerId: string): void {
  if (cart.customer_id !== customerId.toLowerCase())
    throw new PermanentError(`cart ${cart.id} does not belong to customer ${customerId}; event refused`);
}
