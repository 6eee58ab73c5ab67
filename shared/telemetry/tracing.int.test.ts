import path from 'node:path';
import { db } from '../db';
import { eventually, startSystem, type TestSystem } from '../../test/support/harness';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../test/support/otlp-receiver';
import { PROBE_FLAKY, PROBE_RELAY } from '../../test/support/probe-consumers';
import { startTracedServices, subscribe, type TracedServices } from '../../test/support/traced-services';
import { localPushToken } from '../../scripts/stack/push-token';

/**
 * Tracing through the broker, proven with real processes (scripts/serve.ts with telemetry on), real
 * emulator pushes and an OTLP/HTTP JSON receiver: products (HTTP → outbox), a probe that consumes
 * product.created and emits product.updated, and a probe that fails its first delivery.
 */
let receiver: OtlpReceiver;
let system: TestSystem;
let traced: TracedServices;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  system = await startSystem([]);
  traced = await startTracedServices(system, receiver, [
    { name: 'products', service: 'products' },
    { name: 'messaging', service: 'messaging' },
    { name: 'probes', service: 'customers', script: path.join(__dirname, '../../test/support/serve-with-probes.ts') },
  ]);
  await subscribe(traced.processes.probes, PROBE_RELAY, 'product.created');
  await subscribe(traced.processes.probes, PROBE_FLAKY, 'product.updated');
}, 90_000);

afterAll(async () => {
  await traced?.stop();
  await system?.stop();
  await receiver?.close();
});

const createProduct = async (sku: string) =>
  expect((await traced.processes.products.http('POST', '/products', { body: { sku, name: sku, price: 10 } })).status).toBe(201);
const outboxRow = (topic: string, sku: string) =>
  eventually(
    () => db()('messaging.outbox').where({ topic }).whereRaw(`data->>'sku' = ?`, [sku]).first(),
    20_000,
    `${topic} of ${sku}`,
  );
const traceIdOf = (traceparent: string) => traceparent.split('-')[1];
const spanIdOf = (traceparent: string) => traceparent.split('-')[2];

const one = (spans: ReceivedSpan[], name: string, where: (s: ReceivedSpan) => boolean = () => true) => {
  const found = spans.filter((s) => s.name === name && where(s));
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0];
};
const isAncestor = (spans: ReceivedSpan[], ancestor: ReceivedSpan, span: ReceivedSpan): boolean => {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (let s = byId.get(span.parentSpanId ?? ''); s; s = byId.get(s.parentSpanId ?? '')) if (s === ancestor) return true;
  return false;
};
const isDbSpan = (s: ReceivedSpan) =>
  s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql';

describe('one trace through HTTP, the outbox and Pub/Sub pushes', () => {
  test('given a product created over HTTP, then request, emit, publish, a consumer that emits and a retried consumer share one trace with correct parents', async () => {
    const sku = 'TRACE-CHAIN';
    await createProduct(sku);

    const created = await outboxRow('product.created', sku);
    const updated = await outboxRow('product.updated', sku);
    const traceId = traceIdOf(created.attributes.traceparent);
    const spans = await eventually(
      async () => {
        const t = receiver.trace(traceId);
        const done = t.some((s) => s.name === 'product.updated process' && s.attributes['shopflow.outcome'] === 'processed');
        return done && t.some((s) => s.name === 'product.updated publish') && t;
      },
      30_000,
      'the retried delivery to finish',
    );

    // The HTTP request starts the trace in products.
    const request = one(spans, 'POST /products', (s) => s.kind === 'server');
    expect(request).toMatchObject({ service: 'products', parentSpanId: undefined });
    expect(spans.some((s) => s.service === 'products' && isDbSpan(s) && isAncestor(spans, request, s))).toBe(true);

    // emit: a create span inside the request, whose context the outbox row stores.
    const create = one(spans, 'product.created create');
    expect(create).toMatchObject({ service: 'products', kind: 'producer', spanId: spanIdOf(created.attributes.traceparent) });
    expect(create.attributes).toMatchObject({
      'messaging.system': 'gcp_pubsub',
      'messaging.destination.name': 'product.created',
      'messaging.operation': 'create',
      event_id: created.id,
      'shopflow.event_id': created.id,
    });
    expect(isAncestor(spans, request, create)).toBe(true);

    // the relay's publish is a child of the message's creation context.
    const publish = one(spans, 'product.created publish');
    expect(publish).toMatchObject({ service: 'products', kind: 'client', parentSpanId: create.spanId });
    expect(publish.attributes).toMatchObject({ 'messaging.operation': 'publish', event_id: created.id });
    expect(publish.attributes['messaging.message.id']).toEqual(expect.any(String));

    // the push: a process span in the consumer, parented by the emit span, over the handler's DB work and emit.
    const process = one(spans, 'product.created process');
    expect(process).toMatchObject({ service: 'probes', kind: 'consumer', parentSpanId: create.spanId, status: 'unset' });
    expect(process.attributes).toMatchObject({
      'messaging.system': 'gcp_pubsub',
      'messaging.destination.name': 'product.created',
      'messaging.operation': 'process',
      'messaging.message.id': publish.attributes['messaging.message.id'],
      'messaging.destination.subscription.name': PROBE_RELAY,
      event_id: created.id,
      'shopflow.outcome': 'processed',
    });
    expect(spans.some((s) => s.service === 'probes' && isDbSpan(s) && s.parentSpanId === process.spanId)).toBe(true);
    const emitted = one(spans, 'product.updated create');
    expect(emitted).toMatchObject({
      service: 'probes',
      parentSpanId: process.spanId,
      spanId: spanIdOf(updated.attributes.traceparent),
    });
    expect(traceIdOf(updated.attributes.traceparent)).toBe(traceId);

    // the flaky consumer: both deliveries join the trace under the same emit span; the first failed.
    const deliveries = spans.filter((s) => s.name === 'product.updated process').sort((a, b) => a.startMs - b.startMs);
    expect(deliveries.map((d) => [d.parentSpanId, d.status, d.attributes['shopflow.outcome']])).toEqual([
      [emitted.spanId, 'error', 'retried'],
      [emitted.spanId, 'unset', 'processed'],
    ]);
    expect(deliveries.every((d) => d.attributes.event_id === updated.id)).toBe(true);
    expect(receiver.rejected).toEqual([]);
  });

  test('given a consumer handling a traced event, then its log lines carry the trace in Cloud Logging fields with the event fields', async () => {
    const sku = 'TRACE-LOGS';
    await createProduct(sku);
    const updated = await outboxRow('product.updated', sku);
    const trace = `projects/${system.project}/traces/${traceIdOf(updated.attributes.traceparent)}`;

    const handlerLine = await eventually(
      async () => traced.logs().find((l) => l.message === 'probe handled the product' && l.sku === sku),
      30_000,
      'the handler log line',
    );
    expect(handlerLine).toMatchObject({
      severity: 'INFO',
      process: 'probes',
      'logging.googleapis.com/trace': trace,
      'logging.googleapis.com/spanId': expect.stringMatching(/^[0-9a-f]{16}$/),
      'logging.googleapis.com/trace_sampled': true,
      consumer: PROBE_FLAKY,
      event_id: updated.id,
      event_type: 'product.updated',
      aggregate_id: sku,
    });
    // the handler logs inside the delivery; the wrapper's "event processed" follows once it has committed.
    const wrapperLinesOf = () =>
      traced.logs().filter((l) => l.event_id === updated.id && l.consumer === PROBE_FLAKY && l.message !== handlerLine.message);
    await eventually(
      async () => wrapperLinesOf().some((l) => l.message === 'event processed'),
      10_000,
      'the wrapper log line of the processed delivery',
    );
    const wrapperLines = wrapperLinesOf();
    expect(wrapperLines.map((l) => [l.severity, l.message, l['logging.googleapis.com/trace']])).toEqual([
      ['WARNING', 'event processing failed; Pub/Sub will redeliver', trace],
      ['INFO', 'event processed', trace],
    ]);
  });

  test('given traced deliveries, then the consumer metrics count them by outcome and the outbox gauges are reported', async () => {
    const point = (name: string, where: (a: Record<string, unknown>) => boolean = () => true) =>
      receiver.metrics.filter((m) => m.name === name && where(m.attributes)).at(-1);
    const flaky = (outcome: string) => (a: Record<string, unknown>) =>
      a['messaging.consumer.group.name'] === PROBE_FLAKY && a['shopflow.outcome'] === outcome;

    await eventually(async () => point('shopflow.consumer.events', flaky('processed')), 20_000, 'consumer metrics');
    expect(point('shopflow.consumer.events', flaky('retried'))).toMatchObject({ service: 'probes', value: expect.any(Number) });
    expect(point('shopflow.consumer.events', flaky('retried'))!.value).toBeGreaterThanOrEqual(1);
    expect(point('messaging.process.duration', flaky('processed'))!.value).toBeGreaterThanOrEqual(1);
    const backlog = await eventually(async () => point('shopflow.outbox.backlog'), 20_000, 'outbox gauges');
    expect(backlog).toMatchObject({ service: 'messaging', value: expect.any(Number) });
    expect(point('shopflow.outbox.oldest_age')).toMatchObject({ service: 'messaging', value: expect.any(Number) });
  });

  test('given a crash between commit and publish, when the sweeper publishes the event, then its consumer still joins the trace stored with the outbox row', async () => {
    const crashing = await startTracedServices(system, receiver, [
      { name: 'products-crashing', service: 'products', env: { SHOPFLOW_FAILPOINT: 'crash-after-commit' } },
    ]);
    try {
      const sku = 'TRACE-CRASH';
      await expect(
        crashing.processes['products-crashing'].http('POST', '/products', { body: { sku, name: 'Crash', price: 3 } }),
      ).rejects.toThrow();
      const created = await outboxRow('product.created', sku);
      expect(created.published_at).toBeNull();

      const sweep = await traced.processes.messaging.http('POST', `/_functions/${localPushToken()}/outbox-sweeper`);
      expect(sweep.status).toBe(200);
      const traceId = traceIdOf(created.attributes.traceparent);
      const spans = await eventually(
        async () => {
          const t = receiver.trace(traceId);
          return t.some((s) => s.name === 'product.created process') && t.some((s) => s.name === 'product.created publish') && t;
        },
        30_000,
        'the swept event to be consumed',
      );
      const publish = one(spans, 'product.created publish');
      expect(publish).toMatchObject({ service: 'messaging', parentSpanId: spanIdOf(created.attributes.traceparent) });
      expect(publish.links).toHaveLength(1);
      expect(publish.links[0].traceId).not.toBe(traceId);
      expect(one(spans, 'product.created process')).toMatchObject({
        service: 'probes',
        parentSpanId: spanIdOf(created.attributes.traceparent),
      });
    } finally {
      await crashing.stop();
    }
  });
});
