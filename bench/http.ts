import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { config } from '../shared/config';
import { stopChild } from '../scripts/stack/emulator';
import { freePort } from '../test/support/global-setup';
import { pool } from './flow-systems';
import type { Services } from './stack';
import { percentile, ratio, table } from './stats';

/**
 * HTTP throughput and tail latency of three customer requests on the real services (one process
 * each, as `npm run dev` runs them) against bench/bare-http.ts, a bare express + pg handler of the
 * same SQL in its own process: closed loop, CONCURRENCY requests in flight, each endpoint for the
 * profile's seconds after a short warm-up, in SLICES slices alternating real and bare. Any answer but 200 fails the run.
 */
const CONCURRENCY = 16;
const CUSTOMERS = 200;
const SLICES = 4;

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  latencies: number[];
  seconds: number;
}

const combine = (slices: Load[]): Load => {
  const latencies = slices.flatMap((s) => s.latencies);
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  return {
    requests: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
    seconds,
  };
};

async function load(seconds: number, request: (i: number) => Promise<Response>): Promise<Load> {
  const latencies: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await request(n++);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${res.url} answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  return {
    requests: latencies.length,
    perSecond: latencies.length / (elapsed / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
    seconds: elapsed / 1000,
  };
}

export async function httpBench(stack: Services, profile: { httpSeconds: number }): Promise<string> {
  const port = await freePort();
  const bare = fork(path.join(__dirname, 'bare-http.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: String(port), DB_POOL_MAX: String(config().DB_POOL_MAX) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => bare.once('message', resolve));
  try {
    const bases = { ShopFlow: stack.url('cart'), bare: `http://127.0.0.1:${port}` };
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    const headers = (i: number) => ({ 'x-customer-id': customers[i % CUSTOMERS], 'content-type': 'application/json' });
    // every customer has a cart with two lines before anything is timed
    await pool(customers, 8, async (customer) => {
      for (const sku of ['BENCH-0', 'BENCH-1']) {
        const res = await fetch(`${bases.ShopFlow}/cart/items`, {
          method: 'POST',
          headers: { 'x-customer-id': customer, 'content-type': 'application/json' },
          body: JSON.stringify({ product_sku: sku, quantity: 1 }),
        });
        if (!res.ok) throw new Error(`cart set-up answered ${res.status}`);
      }
    });
    const endpoints: {
      name: string;
      base: (system: 'ShopFlow' | 'bare') => string;
      request: (base: string, i: number) => Promise<Response>;
    }[] = [
      {
        name: 'GET /products',
        base: (s) => (s === 'bare' ? bases.bare : stack.url('products')),
        request: (b) => fetch(`${b}/products`),
      },
      { name: 'GET /cart', base: (s) => bases[s], request: (b, i) => fetch(`${b}/cart`, { headers: headers(i) }) },
      {
        name: 'POST /cart/items',
        base: (s) => bases[s],
        request: (b, i) =>
          fetch(`${b}/cart/items`, {
            method: 'POST',
            headers: headers(i),
            body: JSON.stringify({ product_sku: 'BENCH-2', quantity: 1 }),
          }),
      },
    ];
    const rows: (string | number)[][] = [];
    for (const endpoint of endpoints) {
      const runs: Record<'ShopFlow' | 'bare', Load[]> = { ShopFlow: [], bare: [] };
      for (const system of ['ShopFlow', 'bare'] as const) await load(1, (i) => endpoint.request(endpoint.base(system), i)); // warm-up
      // in alternating slices, so that a change in the machine's load reaches both alike
      for (let slice = 0; slice < SLICES; slice++) {
        for (const system of slice % 2 === 0 ? (['ShopFlow', 'bare'] as const) : (['bare', 'ShopFlow'] as const)) {
          runs[system].push(await load(profile.httpSeconds / SLICES, (i) => endpoint.request(endpoint.base(system), i)));
        }
      }
      const measured = { ShopFlow: combine(runs.ShopFlow), bare: combine(runs.bare) };
      const [m, b] = [measured.ShopFlow, measured.bare];
      rows.push([
        endpoint.name,
        `${m.perSecond.toFixed(0)} req/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms`,
        `${b.perSecond.toFixed(0)} req/s, p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms`,
        ratio(m.perSecond, b.perSecond),
        ratio(m.p99, b.p99),
      ]);
    }
    return [
      `${CONCURRENCY} requests in flight for ${profile.httpSeconds} s per endpoint and system, in ${SLICES} slices alternating ShopFlow and`,
      `bare, ${CUSTOMERS} customers in turn, each`,
      'with a two-line cart. Throughput ratio is ShopFlow / bare (target ≥ 0.8×); p99 ratio the same way (lower is better).',
      '',
      table(['endpoint', 'ShopFlow', 'bare express + pg', 'req/s ratio', 'p99 ratio'], rows),
    ].join('\n');
  } finally {
    await stopChild(bare);
  }
}
