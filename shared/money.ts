import { z } from 'zod';

/**
 * Money crosses every boundary (HTTP, events) as a JSON number in major units with at most
 * two decimals, and is stored and added only as integer cents.
 */
/** The largest amount anywhere (a price, a line, an order total): 100 million in major units. */
export const MAX_CENTS = 100_000_000_00;

export const money = z
  .union([z.number(), z.string()])
  .refine((v) => /^\d{1,9}(\.\d{1,2})?$/.test(String(v)), 'must be a positive amount with at most 2 decimals')
  .transform((v) => String(v))
  .refine((v) => toCents(v) > 0 && toCents(v) <= MAX_CENTS, 'must be greater than 0 and at most 100000000')
  .transform((v) => fromCents(toCents(v)));

/** "12.5" | 12.5 → 1250, exactly, with no float arithmetic. */
export function toCents(amount: string | number): number {
  const [whole, fraction = ''] = String(amount).split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Integer cents → "2639.88", for people (exact; no float arithmetic). */
export function formatCents(cents: number | string): string {
  const c = Number(cents);
  return `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** 1250 → 12.5 (the JSON number with the exact two-decimal representation). */
export const fromCents = (cents: number | string): number => Number(formatCents(cents));

/** The total of line items in cents (quantity × unit price), with integer arithmetic only. */
export const totalCents = (items: { quantity: number; unit_price: number }[]): number =>
  items.reduce((sum, item) => sum + item.quantity * toCents(item.unit_price), 0);
