/**
 * What telemetry a process runs, decided from the standard OTEL_* variables (and K_SERVICE, which
 * says we are on Google Cloud). Pure and dependency-free: the preload reads it before deciding
 * whether to load the SDK at all, so a process with telemetry off pays nothing for it.
 *
 * - traces: `env` lets the SDK build the exporter from OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_*;
 *   `cloud-trace` is the Google Cloud Trace exporter (on Google Cloud with no OTLP endpoint set).
 * - metrics: only where an OTLP endpoint or OTEL_METRICS_EXPORTER says where to send them.
 * - OTEL_SDK_DISABLED=true turns everything off; locally, nothing is on unless configured.
 */
export interface TelemetryPlan {
  enabled: boolean;
  traces: 'env' | 'cloud-trace' | 'off';
  metrics: boolean;
  serviceName?: string;
  /** Set as OTEL_EXPORTER_OTLP_PROTOCOL when that is unset (the SDK's own default is http/protobuf). */
  defaultProtocol?: 'http/json';
}

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;
const list = (env: Env, name: string): string[] =>
  (value(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function telemetryPlan(env: Env): TelemetryPlan {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { enabled: false, traces: 'off', metrics: false };

  const otlpEndpoint = value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesExporters = list(env, 'OTEL_TRACES_EXPORTER');
  const metricsExporters = list(env, 'OTEL_METRICS_EXPORTER');

  let traces: TelemetryPlan['traces'] = 'off';
  if (tracesExporters.length > 0) traces = tracesExporters.includes('none') ? 'off' : 'env';
  else if (otlpEndpoint || value(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) traces = 'env';
  else if (value(env, 'K_SERVICE')) traces = 'cloud-trace';

  const metrics =
    metricsExporters.length > 0
      ? !metricsExporters.includes('none')
      : Boolean(otlpEndpoint || value(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'));

  return {
    enabled: traces !== 'off' || metrics,
    traces,
    metrics,
    serviceName: value(env, 'OTEL_SERVICE_NAME') ?? value(env, 'K_SERVICE'),
    ...(value(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ? {} : { defaultProtocol: 'http/json' as const }),
  };
}
