/**
 * The id of the aggregate an event is about, for logs: the most specific id its payload carries
 * (an order before its cart, a notification before its customer). Undefined when there is none.
 */
const AGGREGATE_KEYS = ['order_id', 'notification_id', 'cart_id', 'sku', 'product_sku', 'customer_id'] as const;

export function aggregateId(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const fields = payload as Record<string, unknown>;
  const key = AGGREGATE_KEYS.find((k) => typeof fields[k] === 'string');
  return key && (fields[key] as string);
}
