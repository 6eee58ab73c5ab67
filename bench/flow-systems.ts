import type { ChildProcess } from 'node:child_process';
import { db } from '../shared/db';
import { pushSubscriptions, type ServiceName } from '../shared/topology';
import type { Infra, Services } from './stack';
import { until } from './stats';

/**
 * The two systems the flow benchmark drives the same way: the real stack and the no-op chain. Each
 * converts a prepared cart through HTTP and, once every order of a phase has been through the whole
 * saga, gives the time each cart's order was confirmed and shipped, after checking the counts: a
 * phase that lost or doubled anything throws, so no figure comes from it.
 */
export interface FlowSystem {
  name: string;
  /** Points the shared payment provider sandbox's webhook at this system (before each phase). */
  activate(): void;
  /** The processes that do this system's work (their CPU time is counted per phase). */
  pids(): Record<string, number>;
  /** Customers whose carts are ready to convert (set-up, not timed). */
  prepare(count: number): Promise<string[]>;
  /** POST /cart/convert-to-order; resolves with the cart id. */
  convert(customer: string): Promise<string>;
  /** What the bench noticed about the run beyond the figures (failed deliveries, database round trips). */
  diagnostics?(): Promise<string>;
  /** Waits for the phase's whole saga, checks the counts, returns epoch ms per cart id. */
  settle(cartIds: string[]): Promise<{ confirmed: Map<string, number>; shipped: Map<string, number> }>;
}

/** How many messages each subscription's consumer gets per order on the happy path. */
const perOrder: Record<string, number> = {
  'order-requested': 1,
  'stock-available': 1,
  'order.created': 1,
  'payment.succeeded': 1,
  'shipment.scheduled': 1,
  'email.requested': 3,
  'push.requested': 3,
  'notification.delivered': 6,
};
/** Every consumer of the flow with the number of distinct events it must have processed after `orders` orders. */
const expectedPerConsumer = (orders: number) =>
  pushSubscriptions()
    .filter((s) => perOrder[s.topic] !== undefined)
    .map((s) => ({ consumer: s.functionName, expected: orders * perOrder[s.topic] }));

const SETTLE_MS = 240_000;
const asCustomer = (customer: string) => ({ 'x-customer-id': customer, 'content-type': 'application/json' });

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Runs `work` over `items` with at most `parallel` at once. */
export async function pool<T, R>(items: T[], parallel: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

const SKUS = Array.from({ length: 10 }, (_, i) => `BENCH-${i}`);

/** The real stack: every service as `npm run dev` starts it. */
export async function realSystem(infra: Infra, stack: Services): Promise<FlowSystem> {
  const url = (s: ServiceName, p: string) => stack.url(s) + p;
  for (const sku of SKUS) {
    await post(url('products', '/products'), { sku, name: `Bench ${sku}`, price: 9.99 });
    await post(url('inventory', '/inventory'), { product_sku: sku, quantity: 1_000_000 });
  }
  const count = async (sql: string, bindings: unknown[] = []) => Number((await db().raw(sql, bindings)).rows[0].n);
  await until(
    async () => (await count('select count(*) n from cart.products where sku = any(?)', [SKUS])) === SKUS.length,
    30_000,
    'the cart projection of the bench products',
  );
  let ordersSoFar = 0;
  let customersSoFar = 0;
  const mailBefore = infra.mails().received;
  const commits = async () => count(`select xact_commit n from pg_stat_database where datname = current_database()`);
  const commitsBefore = await commits();
  return {
    name: 'ShopFlow',
    async diagnostics() {
      const failed: { consumer: string; n: number; error: string }[] = (
        await db().raw(
          `select consumer, sum(attempts)::int n, min(last_error) error from messaging.delivery_failures group by consumer order by 2 desc`,
        )
      ).rows;
      const perOrder = ((await commits()) - commitsBefore) / Math.max(1, ordersSoFar);
      return [
        `Database commits per order (pg_stat_database, everything in the bench database including customer and cart set-up,`,
        `the scheduled jobs while the other systems ran, and the bench's own polling): ${perOrder.toFixed(1)}.`,
        failed.length === 0
          ? 'No delivery failed and was retried.'
          : `Deliveries that failed and were redelivered by Pub/Sub (messaging.delivery_failures): ${failed
              .map((f) => `${f.consumer} ${f.n} (“${f.error.slice(0, 80)}”)`)
              .join('; ')}.`,
      ].join('\n');
    },
    pids: () => ({ ...stack.pids(), ...infra.pids }),
    activate: () => (infra.sandboxes.payments!.webhookUrl = url('payments', '/payments/webhook')),
    async prepare(n) {
      const customers = await pool(Array.from({ length: n }), 8, async () => {
        const i = customersSoFar++;
        const created = await post(url('customers', '/customers'), { name: `Bench ${i}`, email: `bench${i}@example.com` });
        return String(created.id);
      });
      await pool(
        customers.map((c, i) => ({ c, sku: SKUS[i % SKUS.length] })),
        8,
        ({ c, sku }) => post(url('cart', '/cart/items'), { product_sku: sku, quantity: 1 }, asCustomer(c)),
      );
      await until(
        async () => (await count('select count(*) n from notifications.customers where id = any(?)', [customers])) === n,
        60_000,
        'the notifications projection of the bench customers',
      );
      return customers;
    },
    convert: async (customer) =>
      String((await post(url('cart', '/cart/convert-to-order'), undefined, asCustomer(customer))).cart_id),
    async settle(cartIds) {
      ordersSoFar += cartIds.length;
      const total = ordersSoFar;
      const processed = async () =>
        new Map<string, number>(
          (await db().raw('select consumer, count(*)::int n from messaging.processed_messages group by consumer')).rows.map(
            (r: { consumer: string; n: number }) => [r.consumer, r.n],
          ),
        );
      const missing = async () => {
        const seen = await processed();
        return expectedPerConsumer(total)
          .filter(({ consumer, expected }) => (seen.get(consumer) ?? 0) !== expected)
          .map(({ consumer, expected }) => `${consumer} ${seen.get(consumer) ?? 0}/${expected}`);
      };
      await until(
        async () => (await missing()).length === 0,
        SETTLE_MS,
        async () => `every consumer's events: ${(await missing()).join(', ')}`,
      );
      // a row is marked published just after its publish (shared/messaging/relay.ts): the last marks may still be on
      // their way when the last consumer is done
      const unpublished = () => count('select count(*) n from messaging.outbox where published_at is null');
      await until(async () => (await unpublished()) === 0, 10_000, 'the last published marks').catch(() => undefined);
      const checks: [string, number, number][] = [
        [
          'orders of these carts',
          await count('select count(*) n from orders.orders where cart_id = any(?)', [cartIds]),
          cartIds.length,
        ],
        ['shipped', await count(`select count(*) n from orders.orders where status = 'shipped'`), total],
        ['captured payments', await count(`select count(*) n from payments.payments where status = 'captured'`), total],
        ['scheduled shipments', await count(`select count(*) n from shipments.shipments where status = 'scheduled'`), total],
        [
          'notifications sent',
          await count(`select count(*) n from notifications.notifications where status = 'sent'`),
          6 * total,
        ],
        ['mails at the SMTP sink', infra.mails().received - mailBefore, 3 * total],
        ['mails repeated at the SMTP sink', infra.mails().duplicates, 0],
        ['push messages', await count('select count(*) n from push.inbox'), 3 * total],
        ['dead letters', await count('select count(*) n from messaging.dead_letters'), 0],
        ['unpublished outbox rows', await unpublished(), 0],
      ];
      const wrong = checks.filter(([, got, want]) => got !== want);
      if (wrong.length > 0)
        throw new Error(`counts wrong: ${wrong.map(([w, got, want]) => `${w} ${got} (want ${want})`).join('; ')}`);
      const rows: { cart_id: string; to_status: string; at: number }[] = (
        await db().raw(
          `select o.cart_id, h.to_status, extract(epoch from h.at) * 1000 as at
             from orders.status_history h join orders.orders o on o.id = h.order_id
            where o.cart_id = any(?) and h.to_status in ('confirmed', 'shipped')`,
          [cartIds],
        )
      ).rows;
      const of = (status: string) => new Map(rows.filter((r) => r.to_status === status).map((r) => [r.cart_id, Number(r.at)]));
      return { confirmed: of('confirmed'), shipped: of('shipped') };
    },
  };
}

/**
 * The no-op chain (bench/noop-service.ts): the same topology, functions that only publish; or, started with
 * NOOP_CHAIN=outbox, functions whose events go through the claim, the outbox and the relay (`name` tells them apart,
 * `database` counts PostgreSQL's CPU as the chain's).
 */
export function noopSystem(
  infra: Infra,
  stack: Services,
  { name = 'no-op chain', database = false }: { name?: string; database?: boolean } = {},
): FlowSystem {
  const marks = { confirmed: new Map<string, number>(), shipped: new Map<string, number>() };
  stack.children().forEach((child) =>
    child.on('message', (m: { mark?: 'confirmed' | 'shipped'; cart_id?: string; at?: number }) => {
      if (m.mark && m.cart_id && !marks[m.mark].has(m.cart_id)) marks[m.mark].set(m.cart_id, m.at!);
    }),
  );
  const countsOf = (child: ChildProcess) =>
    new Promise<Record<string, { deliveries: number; events: number }>>((resolve) => {
      const listener = (m: { counts?: Record<string, { deliveries: number; events: number }> }) => {
        if (!m.counts) return;
        child.off('message', listener);
        resolve(m.counts);
      };
      child.on('message', listener);
      child.send({ counts: true });
    });
  let ordersSoFar = 0;
  return {
    name,
    pids: () => ({
      ...stack.pids(),
      'pubsub emulator': infra.pids['pubsub emulator'],
      ...(database ? { postgres: infra.pids.postgres } : {}),
    }),
    activate: () => (infra.sandboxes.payments!.webhookUrl = stack.url('payments') + '/payments/webhook'),
    prepare: async (n) =>
      Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(ordersSoFar + i).padStart(12, '0')}`),
    convert: async (customer) =>
      String((await post(stack.url('cart') + '/cart/convert-to-order', undefined, asCustomer(customer))).cart_id),
    async settle(cartIds) {
      ordersSoFar += cartIds.length;
      const total = ordersSoFar;
      const missing = async () => {
        const all = Object.assign({}, ...(await Promise.all([...stack.children().values()].map(countsOf)))) as Record<
          string,
          { deliveries: number; events: number }
        >;
        return expectedPerConsumer(total)
          .filter(({ consumer, expected }) => (all[consumer]?.events ?? 0) !== expected)
          .map(({ consumer, expected }) => `${consumer} ${all[consumer]?.events ?? 0}/${expected}`);
      };
      await until(
        async () => (await missing()).length === 0,
        SETTLE_MS,
        async () => `every consumer's events: ${(await missing()).join(', ')}`,
      );
      const pick = (m: Map<string, number>) => new Map(cartIds.map((id) => [id, m.get(id)!]));
      return { confirmed: pick(marks.confirmed), shipped: pick(marks.shipped) };
    },
  };
}
