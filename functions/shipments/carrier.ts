import { config, requiredSecret } from '../../shared/config';
import type { ShippingAddress } from '../../shared/events/fields';
import { httpCarrier } from './http-carrier';

/**
 * What the shipments service needs from a carrier: book a pickup for an order (the order id is the
 * idempotency key, so a retry never books twice) and cancel one. `refused` is final (e.g. an
 * undeliverable address); an unreachable carrier throws ProviderUnavailable and the work is parked.
 */
export type Booking =
  { outcome: 'accepted'; carrier: string; trackingNumber: string; ref: string } | { outcome: 'refused'; reason: string };

export interface Carrier {
  book(request: { orderId: string; address: ShippingAddress | null }): Promise<Booking>;
  cancel(ref: string): Promise<void>;
}

let chosen: Carrier | undefined;

/** The configured carrier, chosen once (one adapter today: the carrier HTTP API the local sandbox speaks). */
export function carrier(): Carrier {
  const c = config();
  chosen ??= httpCarrier({ baseUrl: c.CARRIER_URL, apiKey: requiredSecret('CARRIER_API_KEY') });
  return chosen;
}
