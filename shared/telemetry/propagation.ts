import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context in envelope attributes. Always W3C, whatever OTEL_PROPAGATORS says: the
 * envelope's `traceparent`/`tracestate` are part of the event contract, not of a transport.
 *
 * They are the only context a consumer continues. Two others exist and are deliberately ignored:
 * the `traceparent` HTTP header of a push request (the Functions Framework copies it into the
 * CloudEvent) belongs to the push delivery, not to the producer; and `googclient_traceparent`,
 * which @google-cloud/pubsub adds only with its own OpenTelemetry tracing enabled (we leave it off,
 * so its spans do not duplicate ours). The envelope's context is stored with the outbox row, so a
 * republished or redelivered message carries the same one.
 */
const w3c = new W3CTraceContextPropagator();
type Carrier = Record<string, string | undefined>;

export interface TraceAttributes {
  traceparent?: string;
  tracestate?: string;
}

/** The attributes that carry `ctx`'s span as the parent of whatever receives the message. */
export function traceAttributes(ctx: Context): TraceAttributes {
  const carrier: Carrier = {};
  w3c.inject(ctx, carrier, {
    set: (c, key, value) => {
      c[key] = value;
    },
  });
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  };
}

/**
 * The message's creation context, on top of ROOT_CONTEXT (never the active context: a push
 * delivery's own HTTP context is neither the producer's nor ours to continue).
 */
export function contextFromAttributes(attributes: Carrier | undefined): Context {
  if (!attributes?.traceparent) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, attributes, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
}

export const remoteParent = (ctx: Context): SpanContext | undefined => trace.getSpanContext(ctx);
