import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { paymentProvider } from '../functions/payments/provider';
import { closeDb } from '../shared/db';
import type { EventName } from '../shared/events/catalog';
import { consumerFunction, type Handler } from '../shared/messaging/consumer';
import { decodeCloudEvent } from '../shared/messaging/decode';
import { inTransaction } from '../shared/messaging/outbox';
import { closePubSub, topic } from '../shared/messaging/pubsub';
import { functionsOf, registerCloudEvent, registerHttp } from '../shared/runtime/registry';
import { apiFunctionName, pushSubscriptions, serviceNames, type ServiceName } from '../shared/topology';
import { isLocalPushToken } from '../scripts/stack/push-token';

/**
 * The no-op chain, the yardstick of the flow benchmark: for each service served, a function for every push
 * subscription of the service (shared/topology.ts), registered through the same registry and served
 * by the same Functions Framework pipeline as the real ones, each doing nothing but publishing what
 * the real function publishes on the happy path, through shared/messaging/pubsub.ts (the same
 * publisher settings). The one outside call kept is the charge at the payment provider sandbox,
 * because its webhook is the hop that produces payment.succeeded; mail, push and carrier work are
 * left out. Tells the bench (IPC) when an order is confirmed or shipped, and counts deliveries.
 * NOOP_CHAIN=outbox: the same functions, each one's events going through ShopFlow's own delivery mechanism
 * (shared/messaging: the dedupe claim and the transactional outbox in one transaction, the relay's publish and
 * mark), against a database of its own: what exactly-once processing costs with no business work at all.
 * Grouped into processes as the real services are (scripts/stack/service-processes.ts):
 *   node <compiled bench/noop-service.ts> <service>=<port> …   (PUBSUB_EMULATOR_HOST, GOOGLE_CLOUD_PROJECT, NOOP_CHAIN)
 */
type Data = Record<string, unknown>;
const viaOutbox = process.env.NOOP_CHAIN === 'outbox';
const served = process.argv.slice(2).map((arg) => arg.split('=') as [ServiceName, string]);
if (served.length === 0 || served.some(([s, port]) => !serviceNames.includes(s) || !port))
  throw new Error(`usage: noop-service <${serviceNames.join('|')}>=<port> …`);

/** What each consumer publishes on the happy path (see functions/<service>/on-*.ts). */
const publishes: Record<string, (data: Data) => [EventName, Data][]> = {
  'inventory-on-order-requested': (d) => [['stock-available', { ...d, reservation_id: randomUUID() }]],
  'orders-on-stock-available': (d) => [['order.created', { ...d, order_id: randomUUID(), total: 9.99, status: 'confirmed' }]],
  'email-on-email-requested': (d) => [['notification.delivered', { notification_id: d.notification_id, channel: 'email' }]],
  'push-on-push-requested': (d) => [['notification.delivered', { notification_id: d.notification_id, channel: 'push' }]],
  'shipments-on-payment-succeeded': (d) => [
    ['shipment.scheduled', { ...d, shipment_id: randomUUID(), carrier: 'noop', tracking_number: 'NOOP-1' }],
  ],
  ...Object.fromEntries(
    ['order-created', 'payment-succeeded', 'shipment-scheduled'].map((e) => [
      `notifications-on-${e}`,
      (d: Data): [EventName, Data][] => {
        const common = { customer_id: d.customer_id, title: 'Your order', body: 'Something happened to your order.' };
        return [
          [
            'email.requested',
            { ...common, notification_id: randomUUID(), to: 'noop@example.com', subject: 'Your order', text: 'Hi.' },
          ],
          ['push.requested', { ...common, notification_id: randomUUID() }],
        ];
      },
    ]),
  ),
};
/** Points of the flow the bench times. */
const marks: Record<string, string> = { 'orders-on-stock-available': 'confirmed', 'orders-on-shipment-scheduled': 'shipped' };
const counts = new Map<string, { deliveries: number; events: Set<string> }>();

function publish(event: EventName, data: Data, cause: Record<string, string> | undefined): Promise<string> {
  const attributes: Record<string, string> = {
    event_id: randomUUID(),
    event_type: event,
    event_version: '1',
    occurred_at: new Date().toISOString(),
    correlation_id: String(data.order_id ?? data.cart_id ?? data.notification_id),
    ...(cause ? { causation_id: cause.event_id } : {}),
  };
  return topic(event).publishMessage({ data: Buffer.from(JSON.stringify(data)), attributes });
}

/** What every delivery of the chain does whichever way its events go: counted, timed, and the one outside call. */
async function noticed(functionName: string, data: Data, eventId: string): Promise<void> {
  const seen = counts.get(functionName) ?? { deliveries: 0, events: new Set<string>() };
  counts.set(functionName, seen);
  seen.deliveries += 1;
  seen.events.add(eventId);
  const mark = marks[functionName];
  if (mark) process.send?.({ mark, cart_id: data.cart_id, at: Date.now() });
  if (functionName === 'payments-on-order-created') {
    await paymentProvider().charge({ orderId: String(data.order_id), amountCents: 999 });
    pendingCharges.set(String(data.order_id), data);
  }
}

for (const sub of pushSubscriptions().filter((s) => served.some(([name]) => name === s.service))) {
  const spec = { name: sub.functionName, service: sub.service, kind: 'consumer' } as const;
  const outgoing = (data: Data) => publishes[sub.functionName]?.(data) ?? [];
  if (viaOutbox) {
    const handler: Handler<EventName> = async (event, uow) => {
      await noticed(sub.functionName, event.payload as Data, event.eventId);
      for (const [name, payload] of outgoing(event.payload as Data)) await uow.emit(name, payload as never);
    };
    registerCloudEvent(
      spec,
      consumerFunction({ consumer: sub.functionName, service: sub.service, event: sub.topic as EventName, handler }),
    );
    continue;
  }
  registerCloudEvent(spec, async (ce: CloudEvent<unknown>) => {
    const message = decodeCloudEvent(ce);
    const data = JSON.parse(message?.text ?? '{}') as Data;
    await noticed(sub.functionName, data, message?.attributes.event_id ?? '');
    await Promise.all(outgoing(data).map(([event, payload]) => publish(event, payload, message?.attributes)));
  });
}

/** An API's event: published at once, or through the outbox in a transaction of its own (NOOP_CHAIN=outbox). */
const emitFromApi = (service: ServiceName, event: EventName, data: Data) =>
  viaOutbox
    ? inTransaction(service, (uow) => uow.emit(event, data as never, { correlationId: String(data.cart_id) }))
    : publish(event, data, undefined);

/** The order each outstanding charge is for, so the provider's webhook can name it in payment.succeeded. */
const pendingCharges = new Map<string, Data>();

const serves = (service: ServiceName) => served.some(([name]) => name === service);

if (serves('cart')) {
  registerHttp({ name: apiFunctionName('cart'), service: 'cart', kind: 'api' }, async (req, res) => {
    if (req.method !== 'POST' || req.path !== '/cart/convert-to-order') return void res.status(404).end();
    const cart_id = randomUUID();
    const customer_id = String(req.headers['x-customer-id']);
    await emitFromApi('cart', 'order-requested', {
      cart_id,
      customer_id,
      items: [{ product_sku: 'NOOP', quantity: 1, unit_price: 9.99 }],
    });
    res.status(202).json({ cart_id, status: 'processing' });
  });
}
if (serves('payments')) {
  registerHttp({ name: apiFunctionName('payments'), service: 'payments', kind: 'api' }, async (req, res) => {
    const reference = String((req.body as { data?: { reference?: string } }).data?.reference);
    const order = pendingCharges.get(reference);
    if (order) {
      pendingCharges.delete(reference);
      const payment = { ...order, payment_id: randomUUID(), amount: 9.99, provider_ref: reference };
      await emitFromApi('payments', 'payment.succeeded', payment);
    }
    res.status(200).json({ received: true });
  });
}

process.on('message', (message: { counts?: boolean }) => {
  if (message.counts) {
    const out = Object.fromEntries([...counts].map(([name, c]) => [name, { deliveries: c.deliveries, events: c.events.size }]));
    process.send?.({ counts: out });
  }
});

// the same routing as scripts/stack/host.ts: the API at `/`, every other function at /_functions/<token>/<name>/…
function listen(service: ServiceName, port: number): Promise<http.Server> {
  const servers = new Map(
    functionsOf(service).map((f) => [f.name, getTestServer(f.name).listeners('request')[0] as http.RequestListener]),
  );
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/_functions/')) {
      const [token, name, ...rest] = url.slice('/_functions/'.length).split('/');
      const target = isLocalPushToken(token) ? servers.get(name ?? '') : undefined;
      if (!target) return void res.writeHead(404).end();
      req.url = '/' + rest.join('/');
      return target(req, res);
    }
    const api = servers.get(apiFunctionName(service));
    if (api) return api(req, res);
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

void Promise.all(served.map(([service, port]) => listen(service, Number(port)))).then((servers) => {
  process.send?.({ ready: true });
  process.on('disconnect', () => {
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    void Promise.allSettled([closePubSub(), closeDb()]).finally(() => process.exit(0));
  });
});
