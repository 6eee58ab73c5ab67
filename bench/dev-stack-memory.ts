import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleMemory } from './memory';

/**
 * The dev stack exactly as a user starts it: `npm run dev` on the SPEC ports (a data folder of its own),
 * then `customers` new customers each put an item in their cart and all convert at once; it waits until
 * no cart is `processing`. The peak of the summed RSS of every process `npm run dev` started (npm itself,
 * the stack's parent with the SMTP sink and sandboxes, the service processes, PostgreSQL, the emulator's
 * JVM) is sampled every 0.5 s. Needs the SPEC ports free.
 */
const root = path.resolve(__dirname, '..');
const CUSTOMERS_PORT = 3006;
const CART_PORT = 3005;

async function call(port: number, method: string, p: string, body?: unknown, customer?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': randomUUID() };
  if (customer) headers['x-customer-id'] = customer;
  const res = await fetch(`http://127.0.0.1:${port}${p}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

export async function devStackMemoryBench(customers: number): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-bench-dev-'));
  const dev = spawn('npm', ['run', 'dev'], {
    cwd: root,
    // only what a shell would have: the bench's own DATABASE_URL, PUBSUB_EMULATOR_HOST, SMTP_URL and provider
    // settings would make the stack use the bench's servers instead of starting its own
    env: { PATH: process.env.PATH, HOME: process.env.HOME, USER: process.env.USER, SHOPFLOW_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, stopped as Ctrl-C would
  });
  let output = '';
  dev.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  dev.stderr!.resume();
  const memory = sampleMemory(() => ({ 'npm run dev': dev.pid! }));
  try {
    for (const deadline = Date.now() + 180_000; !output.includes('Ctrl-C stops everything');) {
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`npm run dev did not start:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 5_000)); // the seed's events settle
    const startUp = memory.peaks().total; // start-up (migrations, seed) and a few idle seconds
    const ids: string[] = [];
    for (let i = 0; i < customers; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, customers - i) }, async (_, k) => {
          const made = await call(CUSTOMERS_PORT, 'POST', '/customers', {
            name: `Dev ${i + k}`,
            email: `dev-bench-${i + k}@example.com`,
          });
          const added = await call(CART_PORT, 'POST', '/cart/items', { product_sku: 'CABLE-001', quantity: 1 }, made.body.id);
          if (!made.body?.id || added.status !== 200) throw new Error(`set-up failed: ${made.status} ${added.status}`);
          ids.push(made.body.id);
        }),
      );
    }
    const address = { name: 'Dev Bench', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE' };
    const started = Date.now();
    const converted = await Promise.all(
      ids.map((id) => call(CART_PORT, 'POST', '/cart/convert-to-order', { shipping_address: address }, id)),
    );
    const accepted = converted.filter((c) => c.status === 202).length;
    let settled = false;
    while (!settled && Date.now() - started < 300_000) {
      await new Promise((r) => setTimeout(r, 1_000));
      const carts = await Promise.all(ids.map((id) => call(CART_PORT, 'GET', '/cart', undefined, id)));
      settled = carts.every((c) => c.body?.cart?.status !== 'processing');
    }
    const seconds = (Date.now() - started) / 1000;
    const peaks = memory.peaks();
    return [
      `\`npm run dev\` on a fresh data folder; ${customers} customers convert at once (${accepted} accepted), every cart`,
      `${settled ? `settled in ${seconds.toFixed(1)} s` : `NOT settled after ${seconds.toFixed(0)} s`}. Summed RSS of every process it started, npm included:`,
      `start-up and idle **${startUp.toFixed(0)} MiB**, peak under the burst **${peaks.total.toFixed(0)} MiB** (${(peaks.total / 1024).toFixed(2)} GiB; target ≤ 1.2 GiB);`,
      `PSS ${peaks.totalPss.toFixed(0)} MiB.`,
    ].join('\n');
  } finally {
    memory.stop();
    const stopped = new Promise((r) => dev.once('exit', r));
    process.kill(-dev.pid!, 'SIGINT');
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 30_000))]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
