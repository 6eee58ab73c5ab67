import type { IncomingMessage } from 'node:http';
import { telemetryPlan } from './plan';
import { isPushDelivery } from './sdk';

describe('telemetry plan', () => {
  test('given no OTEL variables and not on Google Cloud, then telemetry is off', () => {
    expect(telemetryPlan({})).toMatchObject({ enabled: false, traces: 'off', metrics: false });
  });

  test('given an OTLP endpoint, then traces and metrics go to it as http/json unless a protocol is set', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({
      enabled: true,
      traces: 'env',
      metrics: true,
      defaultProtocol: 'http/json',
    });
    expect(
      telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })
        .defaultProtocol,
    ).toBeUndefined();
  });

  test('given Google Cloud without an OTLP endpoint, then traces go to Cloud Trace, named after the service, and metrics are off', () => {
    expect(telemetryPlan({ K_SERVICE: 'orders-api' })).toMatchObject({
      enabled: true,
      traces: 'cloud-trace',
      metrics: false,
      serviceName: 'orders-api',
    });
  });

  test('given OTEL_SDK_DISABLED or a "none" exporter, then that signal is off', () => {
    expect(telemetryPlan({ K_SERVICE: 'x', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(telemetryPlan({ K_SERVICE: 'x', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({
      traces: 'env',
      metrics: false,
    });
    expect(telemetryPlan({ OTEL_TRACES_EXPORTER: 'console' })).toMatchObject({ enabled: true, traces: 'env', metrics: false });
  });

  test('given OTEL_SERVICE_NAME, then it names the service over K_SERVICE', () => {
    expect(telemetryPlan({ K_SERVICE: 'a', OTEL_SERVICE_NAME: 'b' }).serviceName).toBe('b');
  });
});

describe('push deliveries', () => {
  const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as unknown as IncomingMessage;

  test('given a Pub/Sub push (topic path or Eventarc CloudEvent), then it is a push delivery; an API call is not', () => {
    expect(isPushDelivery(request('/_functions/orders-on-stock-available/projects/p/topics/stock-available'))).toBe(true);
    expect(isPushDelivery(request('/projects/p/topics/order.created'))).toBe(true);
    expect(isPushDelivery(request('/', { 'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished' }))).toBe(true);
    expect(isPushDelivery(request('/orders/123'))).toBe(false);
    expect(isPushDelivery(request('/products?topics=x'))).toBe(false);
  });
});
