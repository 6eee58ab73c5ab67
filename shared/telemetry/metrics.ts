import { metrics, ValueType, type Counter, type Histogram } from '@opentelemetry/api';

/**
 * Consumer metrics. Instruments are created on first use, after the SDK has registered its meter
 * provider (the API has no proxy for meters); with metrics off they are no-ops and the outbox
 * gauges' callback never runs, so no query is made.
 */
export type DeliveryOutcome = 'processed' | 'duplicate' | 'dead-lettered' | 'retried';

export const meter = () => metrics.getMeter('shopflow');
let instruments: { events: Counter; duration: Histogram } | undefined;

function consumerInstruments() {
  instruments ??= {
    events: meter().createCounter('shopflow.consumer.events', {
      description:
        'Push deliveries handled by a consumer, by outcome: processed, duplicate, retried (transient failure), dead-lettered',
      unit: '{event}',
      valueType: ValueType.INT,
    }),
    duration: meter().createHistogram('messaging.process.duration', {
      description: 'Time to handle one push delivery: decode, dedupe, handler and its transaction',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
  };
  return instruments;
}

export function recordDelivery(labels: { consumer: string; topic: string }, outcome: DeliveryOutcome, seconds: number): void {
  const { events, duration } = consumerInstruments();
  const attributes = {
    'messaging.system': 'gcp_pubsub',
    'messaging.destination.name': labels.topic,
    'messaging.consumer.group.name': labels.consumer,
    'shopflow.outcome': outcome,
  };
  events.add(1, attributes);
  duration.record(seconds, attributes);
}
