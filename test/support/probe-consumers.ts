import { log } from '../../shared/logger';
import { consumerFunction } from '../../shared/messaging/consumer';
import { registerCloudEvent } from '../../shared/runtime/registry';

/**
 * Probe consumers for tracing tests, hosted beside a real service by serve-with-probes.ts:
 * - probe-relay   on product.created: emits product.updated (a second hop);
 * - probe-flaky   on product.updated: fails the first delivery of every event, then succeeds and logs.
 */
export const PROBE_RELAY = 'probe-relay';
export const PROBE_FLAKY = 'probe-flaky';

export function registerProbes(service: 'customers' | 'products'): void {
  registerCloudEvent(
    { name: PROBE_RELAY, service, kind: 'consumer' },
    consumerFunction({
      consumer: PROBE_RELAY,
      service,
      event: 'product.created',
      handler: async ({ payload }, { emit }) => {
        await emit('product.updated', { ...payload, version: payload.version + 1 });
      },
    }),
  );
  const attempts = new Map<string, number>();
  registerCloudEvent(
    { name: PROBE_FLAKY, service, kind: 'consumer' },
    consumerFunction({
      consumer: PROBE_FLAKY,
      service,
      event: 'product.updated',
      handler: async ({ eventId, payload }) => {
        const attempt = (attempts.get(eventId) ?? 0) + 1;
        attempts.set(eventId, attempt);
        if (attempt === 1) throw new Error('probe: transient failure on the first delivery');
        log.info('probe handled the product', { sku: payload.sku, attempt });
      },
    }),
  );
}
