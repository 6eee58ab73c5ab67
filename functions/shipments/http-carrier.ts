import { z } from 'zod';
import { callProvider, ProviderUnavailable } from '../../shared/providers/http-json';
import type { Carrier } from './carrier';

/** The carrier's HTTP API as the local sandbox carrier (scripts/stack/carrier.ts) speaks it. */
const booked = z.object({ id: z.string().min(1), carrier: z.string().min(1), tracking_number: z.string().min(1) });
const refusal = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export function httpCarrier(options: { baseUrl: string; apiKey: string }): Carrier {
  const provider = { name: 'carrier', ...options };
  return {
    async book({ orderId, address }) {
      const reply = await callProvider(provider, {
        method: 'POST',
        path: '/v1/shipments',
        idempotencyKey: `shipment-${orderId}`,
        body: { reference: orderId, address },
      });
      if (reply.status === 422) {
        const why = refusal.safeParse(reply.body);
        return { outcome: 'refused', reason: why.success ? why.data.error.message : 'the carrier refused the shipment' };
      }
      const ok = booked.safeParse(reply.body);
      if (reply.status >= 400 || !ok.success)
        throw new ProviderUnavailable(provider.name, `unexpected reply HTTP ${reply.status}`);
      return { outcome: 'accepted', carrier: ok.data.carrier, trackingNumber: ok.data.tracking_number, ref: ok.data.id };
    },
    async cancel(ref) {
      const reply = await callProvider(provider, {
        method: 'POST',
        path: `/v1/shipments/${encodeURIComponent(ref)}/cancel`,
        idempotencyKey: `cancel-${ref}`,
      });
      if (reply.status >= 400 && reply.status !== 404 && reply.status !== 409) {
        throw new ProviderUnavailable(provider.name, `cancel answered HTTP ${reply.status}`);
      }
    },
  };
}
