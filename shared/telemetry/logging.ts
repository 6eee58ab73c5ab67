import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import { config } from '../config';

/**
 * The log context provider: the active span as the fields Cloud Logging uses to attach a log
 * line to its trace (and that a local reader can grep for the same trace id).
 */
export function traceLogFields(): Record<string, unknown> {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !isSpanContextValid(span)) return {};
  return {
    'logging.googleapis.com/trace': `projects/${config().GOOGLE_CLOUD_PROJECT}/traces/${span.traceId}`,
    'logging.googleapis.com/spanId': span.spanId,
    'logging.googleapis.com/trace_sampled': (span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED,
  };
}
