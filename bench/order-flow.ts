import { randomUUID } from 'node:crypto';
import { db } from '../shared/db';
import { pushPath } from '../shared/topology';
import { localFunctionUrl } from '../scripts/stack/push-token';
import { startBenchStack, type BenchStack } from './stack';

/**
 * The order flow under load, through HTTP and real pushes: throughput and end-to-end latency of
 * orders, a race of many carts for few units, HTTP read latency, the cost of a duplicate versus a
 * fresh event in the same consumer, and each service's memory.
 */
const CARTS = 300;
const RACE_CARTS = 300;
const RACE_UNITS = 100;
const HTTP_REQUESTS = 2_000;
const HTTP_CONCURRENCY = 20;
const PROJECTION_EVENTS = 1_000;

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const asCustomer = (id: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as object), 'x-customer-id': id },
});
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function until(check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const count = async (sql: string, bindings: unknown[] = []) => Number((await db().raw(sql, bindings)).rows[0].n);

async function stockedProduct(stack: BenchStack, sku: string, units: number): Promise<void> {
  await fetch(`${stack.url('products')}/products`, json({ sku, name: sku, price: 9.99 }));
  await fetch(`${stack.url('inventory')}/inventory`, json({ product_sku: sku, quantity: units }));
  await until(async () => (await count('select count(*) n from cart.products where sku = ?', [sku])) === 1);
}

async function convertCarts(stack: BenchStack, sku: string, carts: number): Promise<{ cartIds: string[]; startedAt: number }> {
  const customers = Array.from({ length: carts }, () => randomUUID());
  await Promise.all(
    customers.map((c) => fetch(`${stack.url('cart')}/cart/items`, asCustomer(c, json({ product_sku: sku, quantity: 1 })))),
  );
  const startedAt = Date.now();
  const answers = await Promise.all(
    customers.map((c) =>
      fetch(`${stack.url('cart')}/cart/convert-to-order`, asCustomer(c, { method: 'POST' })).then(
        (r) => r.json() as Promise<{ cart_id: string }>,
      ),
    ),
  );
  return { cartIds: answers.map((a) => a.cart_id), startedAt };
}

export async function orderFlowBench(): Promise<string> {
  const stack = await startBenchStack(['products', 'inventory', 'cart', 'orders', 'messaging']);
  try {
    const lines: string[] = [];

    // 1. throughput and latency with enough stock for everyone
    await stockedProduct(stack, 'BENCH-PLENTY', CARTS * 2);
    const flow = await convertCarts(stack, 'BENCH-PLENTY', CARTS);
    await until(async () => (await count(`select count(*) n from cart.carts where status = 'ordered'`)) === CARTS);
    const wall = Date.now() - flow.startedAt;
    const latencies: number[] = (
      await db().raw(
        `select extract(epoch from (c.updated_at - o.created_at)) * 1000 as ms
           from cart.carts c join messaging.outbox o on o.topic = 'order-requested' and o.data->>'cart_id' = c.id::text
          where c.status = 'ordered'`,
      )
    ).rows
      .map((r: { ms: string }) => Number(r.ms))
      .sort((a: number, b: number) => a - b);
    lines.push(
      `| ${CARTS} carts converted at once, stock for all | ${seconds(wall)} s until every cart is \`ordered\` | ${(CARTS / (wall / 1000)).toFixed(0)} orders/s |`,
      `| convert (outbox row) → cart \`ordered\`, 4 hops through Pub/Sub | p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms | |`,
    );

    // 2. the race: many carts, few units
    await stockedProduct(stack, 'BENCH-RACE', RACE_UNITS);
    const race = await convertCarts(stack, 'BENCH-RACE', RACE_CARTS);
    await until(
      async () =>
        (await count(`select count(*) n from cart.carts where id = any(?) and status in ('ordered', 'stock-unavailable')`, [
          race.cartIds,
        ])) === RACE_CARTS,
    );
    const raceWall = Date.now() - race.startedAt;
    const raceOrders = await count(`select count(*) n from cart.carts where id = any(?) and status = 'ordered'`, [race.cartIds]);
    lines.push(
      `| ${RACE_CARTS} carts racing for ${RACE_UNITS} units | ${seconds(raceWall)} s until every cart has its outcome | ${raceOrders} orders, ${RACE_CARTS - raceOrders} rejections |`,
    );

    // 3. HTTP reads
    const httpLatencies: number[] = [];
    const httpStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: HTTP_CONCURRENCY }, async () => {
        while (next++ < HTTP_REQUESTS) {
          const t = performance.now();
          await (await fetch(`${stack.url('products')}/products/BENCH-PLENTY`)).arrayBuffer();
          httpLatencies.push(performance.now() - t);
        }
      }),
    );
    const httpWall = Date.now() - httpStart;
    httpLatencies.sort((a, b) => a - b);
    lines.push(
      `| GET /products/:sku, ${HTTP_REQUESTS} requests, ${HTTP_CONCURRENCY} concurrent | p50 ${percentile(httpLatencies, 50).toFixed(1)} ms, p99 ${percentile(httpLatencies, 99).toFixed(1)} ms | ${(HTTP_REQUESTS / (httpWall / 1000)).toFixed(0)} req/s |`,
    );

    // 4. duplicate vs fresh event in one consumer (cart's product projection), pushed as the emulator pushes
    const fresh = await projectionRun(stack, false);
    const dupes = await projectionRun(stack, true);
    const projected = await count(`select count(*) n from cart.products where sku like 'PROJ-%'`);
    if (projected !== PROJECTION_EVENTS) throw new Error(`projection holds ${projected} of ${PROJECTION_EVENTS} products`);
    lines.push(
      `| ${PROJECTION_EVENTS} fresh product.updated pushes into cart's projection consumer, 2 in flight | ${seconds(fresh)} s | ${(PROJECTION_EVENTS / (fresh / 1000)).toFixed(0)} events/s |`,
      `| the same ${PROJECTION_EVENTS} events pushed again (all duplicates) | ${seconds(dupes)} s | ${(PROJECTION_EVENTS / (dupes / 1000)).toFixed(0)} events/s; duplicate/fresh time ratio ${(dupes / fresh).toFixed(2)} |`,
    );

    const memory = (['products', 'inventory', 'cart', 'orders', 'messaging'] as const)
      .map((s) => `${s} ${stack.rssMb(s).toFixed(0)} MB`)
      .join(', ');
    return [
      '| scenario | measured | rate / result |',
      '|---|---|---|',
      ...lines,
      '',
      `Resident memory of each service process after the run: ${memory}.`,
    ].join('\n');
  } finally {
    await stack.stop();
  }
}

/**
 * Pushes PROJECTION_EVENTS product.updated messages straight into the cart's consumer function,
 * two in flight as the emulator pushes, in the emulator's push body; each 2xx is an ack. The
 * second run pushes the very same events again: every one is a duplicate.
 */
let projectionEvents: unknown[] = [];
async function projectionRun(stack: BenchStack, duplicates: boolean): Promise<number> {
  if (!duplicates) {
    projectionEvents = Array.from({ length: PROJECTION_EVENTS }, (_, i) => ({
      subscription: 'projects/bench/subscriptions/cart-on-product-updated',
      message: {
        messageId: String(i),
        data: Buffer.from(
          JSON.stringify({ sku: `PROJ-${i}`, name: `p${i}`, description: null, price: 1.5, version: 1 }),
        ).toString('base64'),
        attributes: {
          event_id: randomUUID(),
          event_type: 'product.updated',
          event_version: '1',
          occurred_at: new Date().toISOString(),
          correlation_id: `PROJ-${i}`,
        },
      },
    }));
  }
  const endpoint = localFunctionUrl(stack.url('cart'), 'cart-on-product-updated') + pushPath('bench', 'product.updated');
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < projectionEvents.length) {
        const res = await fetch(endpoint, json(projectionEvents[next++]));
        if (!res.ok) throw new Error(`push answered ${res.status}`);
      }
    }),
  );
  return Date.now() - start;
}
