import { config, requiredSecret } from '../../shared/config';
import { httpPaymentProvider } from './http-provider';

/**
 * What the payments service needs from a payment provider. The outcome of a charge or refund
 * arrives later at our webhook (or from a status lookup by the reconciler); the provider may also
 * know it at once. Every call carries an idempotency key, so a retry never charges or refunds twice.
 * A provider that cannot be reached throws ProviderUnavailable (shared/providers/http-json.ts).
 */
export type ChargeOutcome =
  { status: 'pending'; ref: string } | { status: 'succeeded'; ref: string } | { status: 'failed'; ref: string; reason: string };

export type RefundOutcome = { status: 'pending'; ref: string } | { status: 'succeeded'; ref: string };

export interface PaymentProvider {
  readonly name: string;
  /** Charges an order once: the order id is the idempotency key. */
  charge(request: { orderId: string; amountCents: number }): Promise<ChargeOutcome>;
  /** Refunds a captured charge in full, once: the payment id is the idempotency key. */
  refund(request: { paymentId: string; chargeRef: string; amountCents: number }): Promise<RefundOutcome>;
  chargeStatus(chargeRef: string): Promise<ChargeOutcome>;
  refundStatus(refundRef: string): Promise<RefundOutcome>;
}

let chosen: PaymentProvider | undefined;

/** The configured provider, chosen once. Today one adapter speaks the provider HTTP API (the local sandbox speaks it too). */
export function paymentProvider(): PaymentProvider {
  const c = config();
  chosen ??= httpPaymentProvider({ baseUrl: c.PAYMENT_PROVIDER_URL, apiKey: requiredSecret('PAYMENT_PROVIDER_API_KEY') });
  return chosen;
}
