import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The provider's webhook: what it sends and how we know it was the provider. The signature
 * header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the shared secret>`;
 * it is checked over the raw bytes before anything is parsed, in constant time, and a timestamp
 * outside the tolerance is refused so a captured request cannot be replayed later.
 */
export const SIGNATURE_HEADER = 'payment-signature';

export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

export function verifySignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowSeconds: number,
  toleranceSeconds: number,
): SignatureProblem | undefined {
  if (!header) return 'missing';
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = parts.get('t');
  const given = parts.get('v1');
  if (!t || !/^\d{1,12}$/.test(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return 'malformed';
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return 'stale';
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex')) ? undefined : 'mismatch';
}

export const webhookEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['charge.succeeded', 'charge.failed', 'refund.succeeded']),
  created: z.number().int(),
  data: z.object({
    id: z.string().min(1).max(200),
    reference: z.string().uuid(),
    amount_cents: z.number().int().positive(),
    charge: z.string().min(1).max(200).optional(),
    failure_reason: z.string().max(500).nullish(),
  }),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;
