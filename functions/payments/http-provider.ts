import { z } from 'zod';
import { callProvider, ProviderUnavailable, type ProviderReply } from '../../shared/providers/http-json';
import type { ChargeOutcome, PaymentProvider, RefundOutcome } from './provider';

/**
 * The payment provider's HTTP API (charges and refunds with Idempotency-Key, amounts in cents,
 * outcomes by signed webhook), as the local sandbox (scripts/stack/payment-provider.ts) and a
 * provider with the same API speak it.
 */
const charge = z.object({
  id: z.string().min(1),
  status: z.enum(['pending', 'succeeded', 'failed']),
  failure_reason: z.string().nullish(),
});
const refund = z.object({ id: z.string().min(1), status: z.enum(['pending', 'succeeded']) });

export function httpPaymentProvider(options: { baseUrl: string; apiKey: string }): PaymentProvider {
  const provider = { name: 'payment provider', ...options };
  const read = <T>(schema: z.ZodType<T>, reply: ProviderReply, what: string): T => {
    if (reply.status >= 400) throw new PaymentRefused(what, reply);
    const parsed = schema.safeParse(reply.body);
    if (!parsed.success) throw new ProviderUnavailable(provider.name, `unexpected ${what} reply`);
    return parsed.data;
  };
  const toCharge = (c: z.infer<typeof charge>): ChargeOutcome =>
    c.status === 'failed'
      ? { status: 'failed', ref: c.id, reason: c.failure_reason ?? 'declined' }
      : { status: c.status, ref: c.id };
  const toRefund = (r: z.infer<typeof refund>): RefundOutcome => ({ status: r.status, ref: r.id });

  return {
    name: 'http',
    charge: async ({ orderId, amountCents }) =>
      toCharge(
        read(
          charge,
          await callProvider(provider, {
            method: 'POST',
            path: '/v1/charges',
            idempotencyKey: `charge-${orderId}`,
            body: { amount_cents: amountCents, currency: 'usd', reference: orderId },
          }),
          'charge',
        ),
      ),
    refund: async ({ paymentId, chargeRef, amountCents }) =>
      toRefund(
        read(
          refund,
          await callProvider(provider, {
            method: 'POST',
            path: '/v1/refunds',
            idempotencyKey: `refund-${paymentId}`,
            body: { charge: chargeRef, amount_cents: amountCents },
          }),
          'refund',
        ),
      ),
    chargeStatus: async (ref) =>
      toCharge(
        read(charge, await callProvider(provider, { method: 'GET', path: `/v1/charges/${encodeURIComponent(ref)}` }), 'charge'),
      ),
    refundStatus: async (ref) =>
      toRefund(
        read(refund, await callProvider(provider, { method: 'GET', path: `/v1/refunds/${encodeURIComponent(ref)}` }), 'refund'),
      ),
  };
}

/** The provider refused a request outright (4xx): retrying the same request cannot help. */
export class PaymentRefused extends Error {
  constructor(what: string, reply: ProviderReply) {
    const error = reply.body.error as { message?: string } | undefined;
    super(`the payment provider refused the ${what}: HTTP ${reply.status}${error?.message ? ` ${error.message}` : ''}`);
    this.name = 'PaymentRefused';
  }
}
