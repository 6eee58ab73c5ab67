import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { contextFromAttributes, remoteParent, traceAttributes, type TraceAttributes } from './propagation';
import { recordDelivery, type DeliveryOutcome } from './metrics';

/**
 * Spans of the message flow, named and attributed by the OpenTelemetry messaging conventions:
 *
 *   <topic> create   PRODUCER  at emit time, inside the business transaction; its context is the
 *                              message's creation context, stored in the outbox row (traceparent).
 *   <topic> publish  CLIENT    in the relay or the sweeper; child of the creation context, linked to
 *                              the sweeper's own trace when that is another one.
 *   <topic> process  CONSUMER  per push delivery (every retry too); child of the creation context.
 *
 * Only @opentelemetry/api is used here: with the SDK off every call is a no-op.
 */
const tracer = () => trace.getTracer('shopflow.messaging');

interface MessageIdentity {
  event_id: string;
  event_type: string;
  correlation_id?: string;
}

const messagingAttributes = (topic: string, operation: 'create' | 'publish' | 'process', event?: Partial<MessageIdentity>) => {
  const attributes: Attributes = {
    'messaging.system': 'gcp_pubsub',
    'messaging.destination.name': topic,
    'messaging.operation': operation,
    'messaging.operation.name': operation,
    'messaging.operation.type': operation === 'publish' ? 'send' : operation,
  };
  if (event?.event_id) Object.assign(attributes, { event_id: event.event_id, 'shopflow.event_id': event.event_id });
  if (event?.event_type) attributes['shopflow.event_type'] = event.event_type;
  if (event?.correlation_id) attributes['messaging.message.conversation_id'] = event.correlation_id;
  return attributes;
};

/** The outbox's trace injector: a `create` span under the active context, returned as envelope attributes. */
export function messageCreated(event: MessageIdentity): TraceAttributes {
  const span = tracer().startSpan(`${event.event_type} create`, {
    kind: SpanKind.PRODUCER,
    attributes: messagingAttributes(event.event_type, 'create', event),
  });
  span.end();
  return traceAttributes(trace.setSpan(context.active(), span));
}

/** Wraps one outbox row's publish in a `publish` span. */
export async function tracePublish(
  row: { topic: string; attributes: Record<string, string> },
  publish: () => Promise<string>,
): Promise<string> {
  const creation = contextFromAttributes(row.attributes);
  const created = remoteParent(creation);
  const span = tracer().startSpan(
    `${row.topic} publish`,
    {
      kind: created ? SpanKind.CLIENT : SpanKind.PRODUCER,
      attributes: messagingAttributes(row.topic, 'publish', row.attributes),
      links: activeUnlessIn(created?.traceId),
    },
    created ? creation : context.active(),
  );
  try {
    const messageId = await publish();
    span.setAttribute('messaging.message.id', messageId);
    return messageId;
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

export interface Delivery {
  consumer: string;
  topic: string;
  messageId?: string;
  attributes?: Record<string, string>;
}

/**
 * Runs one push delivery inside a `process` span whose parent is the message's creation context,
 * so a retried delivery joins the same trace. Records the outcome (span and metrics): a throw is a
 * transient failure that Pub/Sub redelivers ("retried").
 */
export async function observeDelivery<O extends Exclude<DeliveryOutcome, 'retried'>>(
  delivery: Delivery,
  run: () => Promise<O>,
): Promise<O> {
  const parent = contextFromAttributes(delivery.attributes);
  const span = tracer().startSpan(
    `${delivery.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(delivery.topic, 'process', delivery.attributes),
        'messaging.destination.subscription.name': delivery.consumer,
        'messaging.consumer.group.name': delivery.consumer,
        ...(delivery.messageId ? { 'messaging.message.id': delivery.messageId } : {}),
        'shopflow.consumer': delivery.consumer,
      },
      links: activeUnlessIn(remoteParent(parent)?.traceId),
    },
    parent,
  );
  const started = performance.now();
  let outcome: DeliveryOutcome = 'retried';
  try {
    outcome = await context.with(trace.setSpan(parent, span), run);
    if (outcome === 'dead-lettered') span.setStatus({ code: SpanStatusCode.ERROR, message: 'dead-lettered' });
    return outcome as O;
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.setAttribute('shopflow.outcome', outcome);
    span.end();
    recordDelivery({ consumer: delivery.consumer, topic: delivery.topic }, outcome, (performance.now() - started) / 1000);
  }
}

/** A link to the active span (a sweeper's job, an HTTP push request) when it belongs to another trace. */
function activeUnlessIn(traceId: string | undefined): Link[] {
  const current = trace.getSpanContext(context.active());
  return current && isSpanContextValid(current) && current.traceId !== traceId ? [{ context: current }] : [];
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
