import { z } from 'zod';
import { money } from '../money';

/** Field schemas shared by HTTP bodies and events, so both sides agree on one definition. */
export const uuid = z.string().uuid();
export const sku = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64 characters');
export const quantity = z.number().int().min(1).max(10_000);
export const email = z.string().trim().toLowerCase().email().max(254);
/** Control characters, line and paragraph separators, and bidi overrides: they forge the layout of a mail or a page. */
const layoutControls = /[\p{Cc}\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** A name people read (customer, product): one line, no control characters. */
export const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !layoutControls.test(s), 'must be one line without control characters');

export const lineItem = z.object({ product_sku: sku, quantity, unit_price: money });
export const lineItems = z.array(lineItem).min(1).max(100);
export type LineItem = z.infer<typeof lineItem>;

/** Where an order goes; set by the customer (PUT /orders/:id), read by shipments through order.updated. */
export const shippingAddress = z
  .object({
    name: z.string().trim().min(1).max(200),
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().max(200).optional(),
    city: z.string().trim().min(1).max(100),
    postal_code: z.string().trim().min(1).max(20),
    country: z.string().length(2),
  })
  .strict();
export type ShippingAddress = z.infer<typeof shippingAddress>;
