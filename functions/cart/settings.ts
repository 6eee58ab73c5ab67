import { z } from 'zod';

/**
 * The cart's abuse limits, parsed once from the environment (defaults fit a shop; tests lower them).
 * Kept beside the cart because no other service reads them.
 */
const schema = z.object({
  /** Units in one order (all lines together). */
  CART_MAX_UNITS_PER_ORDER: z.coerce.number().int().min(1).max(10_000).default(100),
  /** A customer's orders that are neither paid nor cancelled; one more convert is refused. */
  CART_MAX_OPEN_ORDERS: z.coerce.number().int().min(1).default(3),
  /** Per customer and instance: cart writes (add, set, remove, empty) and conversions per minute. */
  CART_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  CART_CONVERTS_PER_MINUTE: z.coerce.number().int().min(1).default(6),
});

export type CartSettings = z.infer<typeof schema>;
let cached: CartSettings | undefined;

export function cartSettings(): CartSettings {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) throw new Error(`invalid cart configuration: ${parsed.error.message}`);
    cached = Object.freeze(parsed.data);
  }
  return cached;
}
