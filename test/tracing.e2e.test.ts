import { db } from '../shared/db';
import { startSmtpSink, type SmtpSink } from '../scripts/stack/smtp-sink';
import { eventually, startSystem, type TestSystem } from './support/harness';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { startTracedServices, type TracedServices } from './support/traced-services';

/**
 * One order, one trace: every service runs as its own process with telemetry on (as `npm run dev`
 * with OTEL_EXPORTER_OTLP_ENDPOINT), exporting OTLP/HTTP JSON to an in-process receiver. A single
 * POST /cart/convert-to-order must produce spans from cart, inventory, orders, notifications, email
 * and push in ONE trace, each consumer's process span parented by the emit span of its message.
 */
let receiver: OtlpReceiver;
let sink: SmtpSink;
let system: TestSystem;
let traced: TracedServices;

const SERVICES = ['products', 'customers', 'inventory', 'cart', 'orders', 'notifications', 'email', 'push', 'messaging'] as const;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  sink = await startSmtpSink();
  system = await startSystem([]);
  traced = await startTracedServices(
    system,
    receiver,
    SERVICES.map((service) => ({ name: service, service, env: { SMTP_URL: sink.url } })),
  );
}, 240_000);

afterAll(async () => {
  await traced?.stop();
  await system?.stop();
  await Promise.all([receiver?.close(), sink?.close()]);
});

const http = (service: (typeof SERVICES)[number]) => traced.processes[service].http;

describe('one trace per order', () => {
  test('given a stocked product and a known customer, when the cart is converted, then spans from six functions share one trace with correct parents', async () => {
    const customer = await http('customers')('POST', '/customers', {
      body: { name: 'Ada Trace', email: 'ada.trace@example.com' },
    });
    expect(customer.status).toBe(201);
    const customerId: string = customer.body.id;
    expect((await http('products')('POST', '/products', { body: { sku: 'TRACED-1', name: 'Traced', price: 12.5 } })).status).toBe(
      201,
    );
    expect((await http('inventory')('POST', '/inventory', { body: { product_sku: 'TRACED-1', quantity: 5 } })).status).toBe(201);
    await eventually(() => db()('cart.products').where({ sku: 'TRACED-1' }).first(), 20_000, 'the cart projection');
    await eventually(() => db()('notifications.customers').where({ id: customerId }).first(), 20_000, 'the customer projection');
    const added = await http('cart')('POST', '/cart/items', {
      customer: customerId,
      body: { product_sku: 'TRACED-1', quantity: 2 },
    });
    expect(added.status).toBe(200);

    const converted = await http('cart')('POST', '/cart/convert-to-order', { customer: customerId });
    expect(converted.status).toBe(202);

    const requested = await eventually(
      () =>
        db()('messaging.outbox')
          .where({ topic: 'order-requested' })
          .whereRaw(`data->>'cart_id' = ?`, [converted.body.cart_id])
          .first(),
      10_000,
      'the order-requested outbox row',
    );
    const traceId = requested.attributes.traceparent.split('-')[1];
    const consumed = ['order-requested', 'stock-available', 'order.created', 'email.requested', 'push.requested'];
    const spans = await eventually(
      async () => {
        const trace = receiver.trace(traceId);
        const processed = new Set(
          trace.filter((s) => s.kind === 'consumer').map((s) => s.attributes['messaging.destination.name']),
        );
        const services = new Set(trace.map((s) => s.service));
        // spans arrive in exporter batches: wait until every parent has arrived too (a missing one times out)
        const ids = new Set(trace.map((s) => s.spanId));
        const complete = trace.every((s) => !s.parentSpanId || ids.has(s.parentSpanId));
        return (
          consumed.every((t) => processed.has(t)) && ['cart', 'notifications'].every((s) => services.has(s)) && complete && trace
        );
      },
      45_000,
      'the whole order to be traced',
    );

    // Six functions (at least) in one trace.
    const services = new Set(spans.map((s) => s.service));
    expect([...services].sort()).toEqual(
      expect.arrayContaining(['cart', 'email', 'inventory', 'notifications', 'orders', 'push']),
    );

    // One root: the customer's HTTP request; every other span's parent is in the same trace.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => [s.service, s.kind, s.name])).toEqual([['cart', 'server', 'POST /cart/convert-to-order']]);
    expect(spans.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);

    // Every delivery's process span hangs under the create span of the very message it consumed.
    const processes = spans.filter((s) => s.kind === 'consumer');
    for (const process of processes) {
      const parent = byId.get(process.parentSpanId!) as ReceivedSpan;
      const topic = process.attributes['messaging.destination.name'];
      expect([parent.name, parent.kind, parent.attributes.event_id]).toEqual([
        `${topic} create`,
        'producer',
        process.attributes.event_id,
      ]);
      expect(process.name).toBe(`${topic} process`);
      expect(process.attributes).toMatchObject({ 'messaging.system': 'gcp_pubsub', 'messaging.operation': 'process' });
    }
    const hop = (topic: string, service: string) =>
      processes.find((p) => p.attributes['messaging.destination.name'] === topic && p.service === service);
    expect(hop('order-requested', 'inventory')).toBeDefined();
    expect(hop('stock-available', 'orders')).toBeDefined();
    expect(hop('order.created', 'cart')).toBeDefined();
    expect(hop('order.created', 'notifications')).toBeDefined();
    expect(hop('email.requested', 'email')).toBeDefined();
    expect(hop('push.requested', 'push')).toBeDefined();

    // A consumer's log line carries the same trace.
    const trace = `projects/${system.project}/traces/${traceId}`;
    const line = await eventually(
      async () =>
        traced
          .logs()
          .find((l) => l.process === 'orders' && l.message === 'event processed' && l.event_type === 'stock-available'),
      10_000,
      'the orders consumer log line',
    );
    expect(line).toMatchObject({ 'logging.googleapis.com/trace': trace, consumer: 'orders-on-stock-available' });
    expect(receiver.rejected).toEqual([]);
  });
});
