import type { IncomingMessage } from 'node:http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import type { TelemetryPlan } from './plan';

/**
 * The OpenTelemetry Node SDK with the instrumentations this system needs (HTTP, express, pg) and
 * nothing else: auto-instrumentations-node would load dozens of modules at every cold start.
 * Exporters come from the standard OTEL_* variables, or Cloud Trace on Google Cloud (see plan.ts).
 */
let sdk: NodeSDK | undefined;

export function startSdk(plan: TelemetryPlan): void {
  if (plan.defaultProtocol) process.env.OTEL_EXPORTER_OTLP_PROTOCOL = plan.defaultProtocol;
  sdk = new NodeSDK({
    serviceName: plan.serviceName,
    ...(plan.traces === 'cloud-trace' ? { traceExporter: cloudTraceExporter() } : {}),
    ...(plan.traces === 'off' ? { spanProcessors: [] } : {}),
    ...(plan.metrics ? {} : { metricReaders: [] }),
    // Logs go to stdout as JSON lines (Cloud Logging reads them), not through the OTel logs SDK.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: isPushDelivery, requireParentforOutgoingSpans: true }),
      // Routers and route handlers only: a span per middleware (the framework's own body parsers included) is noise.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // Only queries inside a trace: no root spans from sweeps, pruning or metric reads; no parameter values.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export async function shutdownSdk(): Promise<void> {
  await sdk?.shutdown();
}

/**
 * A Pub/Sub push (local `/projects/<p>/topics/<t>` path, or an Eventarc CloudEvent) gets no HTTP
 * server span: its `process` span continues the producer's trace instead (consumer.ts), and an
 * HTTP span here would only start a one-span trace per delivery.
 */
export function isPushDelivery(req: IncomingMessage): boolean {
  const ceType = req.headers['ce-type'];
  return (
    /\/projects\/[^/]+\/topics\/[^/?]+/.test(req.url ?? '') ||
    (typeof ceType === 'string' && ceType.startsWith('google.cloud.pubsub.'))
  );
}

type CloudTrace = typeof import('@google-cloud/opentelemetry-cloud-trace-exporter');

function cloudTraceExporter(): SpanExporter {
  // Loaded only on Google Cloud: it brings google-auth-library and gRPC with it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TraceExporter } = require('@google-cloud/opentelemetry-cloud-trace-exporter') as CloudTrace;
  return new TraceExporter();
}
