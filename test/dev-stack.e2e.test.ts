import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PubSub } from '@google-cloud/pubsub';
import { Client } from 'pg';
import { alive } from '../scripts/stack/guard';
import { freePort } from './support/global-setup';
import { eventually } from './support/harness';

/**
 * The README's `npm run dev`, started as a user starts it (its own embedded PostgreSQL and
 * Pub/Sub emulator), driven only through HTTP on the SPEC ports, then stopped with Ctrl-C
 * (SIGINT to the whole process group, as a terminal does).
 */
jest.setTimeout(180_000);
const root = path.resolve(__dirname, '..');
let dev: ChildProcess;
let output = '';
const url = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;
const SEED_CUSTOMER = '550e8400-e29b-41d4-a716-446655440001';

async function call(port: number, method: string, p: string, body?: unknown, customer?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (customer) headers['x-customer-id'] = customer;
  const res = await fetch(url(port, p), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function startDev(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn('npm', ['run', 'dev'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return child;
}

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter(Boolean);
  } catch {
    // no children
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

let env: NodeJS.ProcessEnv;
let flow: { buyer: string; other: string; orderId: string };
interface Notification {
  kind: string;
  channel: string;
  status: string;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-dev-'));
  chmodSync(dataDir, 0o755);
  env = {
    ...process.env,
    SHOPFLOW_DATA_DIR: dataDir,
    SHOPFLOW_PG_PORT: String(await freePort()),
    SHOPFLOW_PUBSUB_PORT: String(await freePort()),
    SHOPFLOW_SMTP_PORT: String(await freePort()),
    SHOPFLOW_MAIL_LIST_PORT: String(await freePort()),
    SHOPFLOW_PAYMENT_SANDBOX_PORT: String(await freePort()),
    SHOPFLOW_CARRIER_SANDBOX_PORT: String(await freePort()),
    PAYMENT_TIMEOUT_SECONDS: '10',
  };
  for (const inherited of [
    'DATABASE_URL',
    'PUBSUB_EMULATOR_HOST',
    'GOOGLE_CLOUD_PROJECT',
    'LOG_LEVEL',
    'SMTP_URL',
    'MAIL_SINK_URL',
    'PAYMENT_PROVIDER_URL',
    'PAYMENT_PROVIDER_API_KEY',
    'PAYMENT_WEBHOOK_SECRET',
    'CARRIER_URL',
    'CARRIER_API_KEY',
  ])
    delete env[inherited];
  dev = await startDev(env);
  await eventually(
    async () => output.includes('[dev] Ctrl-C stops everything.'),
    120_000,
    `npm run dev to be ready; output so far:\n${output}`,
  );
});

afterAll(async () => {
  if (dev.exitCode === null && dev.signalCode === null) {
    try {
      process.kill(-dev.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('npm run dev', () => {
  test('every service answers its health check on its SPEC port, and the seed customers exist', async () => {
    for (const [service, port] of Object.entries({
      orders: 3000,
      products: 3001,
      inventory: 3002,
      cart: 3005,
      customers: 3006,
    })) {
      expect((await call(port, 'GET', '/')).body).toMatchObject({ status: 'ok', service });
    }
    expect((await call(3006, 'GET', `/customers/${SEED_CUSTOMER}`)).body).toMatchObject({ name: 'Jane Doe' });
  });

  test('a user orders, is rejected when stock is short, and cancels — only through HTTP', async () => {
    const sku = `E2E-${randomUUID().slice(0, 8)}`;
    // 2 × 3,000.00: a total the payment sandbox never answers, so the order waits in `confirmed` to be cancelled
    expect((await call(3001, 'POST', '/products', { sku, name: 'E2E item', price: 3000 }, undefined)).status).toBe(201);
    expect((await call(3002, 'POST', '/inventory', { product_sku: sku, quantity: 3 })).status).toBe(201);

    const buyer = SEED_CUSTOMER;
    await eventually(
      async () => (await call(3005, 'POST', '/cart/items', { product_sku: sku, quantity: 2 }, buyer)).status === 200,
      30_000,
    );
    const { cart_id } = (await call(3005, 'POST', '/cart/convert-to-order', undefined, buyer)).body;
    const order = await eventually(
      async () => (await call(3000, 'GET', `/orders?cart_id=${cart_id}`, undefined, buyer)).body.data[0],
      30_000,
    );
    expect(order).toMatchObject({ status: 'confirmed', total: 6000 });
    expect((await call(3002, 'GET', `/inventory/${sku}`)).body).toMatchObject({ quantity: 1, reserved: 2 });

    const other = '550e8400-e29b-41d4-a716-446655440002';
    await call(3005, 'POST', '/cart/items', { product_sku: sku, quantity: 2 }, other);
    await call(3005, 'POST', '/cart/convert-to-order', undefined, other);
    const rejected = await eventually(async () => {
      const view = (await call(3005, 'GET', '/cart', undefined, other)).body;
      return view.cart.status === 'stock-unavailable' && view;
    }, 30_000);
    expect(rejected.cart.cart_locked).toBe(false);
    expect(rejected.cart.rejection.details).toEqual([{ product_sku: sku, requested: 2, available: 1 }]);

    expect((await call(3000, 'GET', `/orders/${order.id}`, undefined, other)).status).toBe(404);
    expect((await call(3000, 'POST', `/orders/${order.id}/cancel`, {}, buyer)).body.status).toBe('cancelled');
    await eventually(async () => (await call(3002, 'GET', `/inventory/${sku}`)).body.quantity === 3, 30_000);
    expect((await call(3001, 'POST', '/products', { sku: 'bad sku', price: 'free' }, undefined)).status).toBe(400);
    flow = { buyer, other, orderId: order.id };
  });

  test('each customer-facing event reached the customer once by email and push, and re-published duplicates add nothing', async () => {
    const { buyer, other } = flow;
    const sentKinds = async (customer: string) => {
      const list = (await call(3003, 'GET', '/notifications?limit=100', undefined, customer)).body.data as Notification[];
      return list
        .filter((n) => n.status === 'sent')
        .map((n) => `${n.kind}/${n.channel}`)
        .sort();
    };
    const expected = {
      [buyer]: ['order_cancelled/email', 'order_cancelled/push', 'order_created/email', 'order_created/push'],
      [other]: ['stock_rejected/email', 'stock_rejected/push'],
    };
    for (const customer of [buyer, other]) {
      await eventually(
        async () => JSON.stringify(await sentKinds(customer)) === JSON.stringify(expected[customer]),
        60_000,
        `notifications of ${customer}`,
      );
      const inbox = (await call(3007, 'GET', `/notifications/${customer}`, undefined, customer)).body.data;
      expect(inbox).toHaveLength(expected[customer].length / 2);
    }

    // every customer-facing event of this flow, re-published to the dev stack's topics exactly as the outbox published it
    const database = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${env.SHOPFLOW_PG_PORT}/shopflow` });
    await database.connect();
    const events = (
      await database.query(
        `select topic, data, attributes from messaging.outbox
          where topic in ('order.created', 'order.cancelled', 'stock.rejected') and data->>'customer_id' = any($1)`,
        [[buyer, other]],
      )
    ).rows;
    await database.end();
    expect(events.map((e) => e.topic).sort()).toEqual(['order.cancelled', 'order.created', 'stock.rejected']);
    const broker = new PubSub({
      projectId: 'shopflow-local',
      apiEndpoint: `127.0.0.1:${env.SHOPFLOW_PUBSUB_PORT}`,
      emulatorMode: true,
    });
    for (let copy = 0; copy < 3; copy++) {
      await Promise.all(events.map((e) => broker.topic(e.topic).publishMessage({ json: e.data, attributes: e.attributes })));
    }
    await broker.close();
    await new Promise((r) => setTimeout(r, 5_000));
    for (const customer of [buyer, other]) {
      const list = (await call(3003, 'GET', '/notifications?limit=100', undefined, customer)).body.data as Notification[];
      expect(list).toHaveLength(expected[customer].length);
      expect((await call(3007, 'GET', `/notifications/${customer}`, undefined, customer)).body.data).toHaveLength(
        expected[customer].length / 2,
      );
    }
  });

  test('the saga through HTTP only: shipped and sold, declined, refused by the carrier, timed out; forged webhooks refused', async () => {
    const admin = undefined;
    const product = async (price: number, units: number) => {
      const sku = `SAGA-${randomUUID().slice(0, 8)}`;
      expect((await call(3001, 'POST', '/products', { sku, name: 'Saga item', price }, admin)).status).toBe(201);
      expect((await call(3002, 'POST', '/inventory', { product_sku: sku, quantity: units }, admin)).status).toBe(201);
      return sku;
    };
    const customer = async () => {
      const email = `saga-${randomUUID().slice(0, 8)}@example.com`;
      const res = await call(3006, 'POST', '/customers', { name: 'Saga Shopper', email }, admin);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const order = async (who: string, sku: string, body?: unknown) => {
      await eventually(
        async () => (await call(3005, 'POST', '/cart/items', { product_sku: sku, quantity: 1 }, who)).status === 200,
        30_000,
      );
      const converted = await call(3005, 'POST', '/cart/convert-to-order', body, who);
      expect(converted.status).toBe(202);
      return eventually(
        async () => (await call(3000, 'GET', `/orders?cart_id=${converted.body.cart_id}`, undefined, who)).body.data[0],
        30_000,
      );
    };
    const reaches = (who: string, id: string, status: string, ms = 60_000) =>
      eventually(
        async () => {
          const o = (await call(3000, 'GET', `/orders/${id}`, undefined, who)).body;
          return o.status === status && o;
        },
        ms,
        `order ${id} to be ${status}`,
      );
    const stock = async (sku: string) => (await call(3002, 'GET', `/inventory/${sku}`)).body;
    const payment = async (who: string, id: string) => (await call(3008, 'GET', `/payments/${id}`, undefined, who)).body;

    const [happy, declined, unshippable, unpaid] = [await customer(), await customer(), await customer(), await customer()];
    const [okSku, declineSku, noShipSku, silentSku] = [
      await product(25, 5),
      await product(5000, 5),
      await product(30, 5),
      await product(6500, 5),
    ];

    const shipped = await order(happy, okSku);
    await reaches(happy, shipped.id, 'shipped');
    await eventually(async () => (await stock(okSku)).sold === 1, 30_000, 'unit sold');
    expect(await stock(okSku)).toMatchObject({ quantity: 4, reserved: 0, sold: 1 });
    expect((await call(3009, 'GET', `/shipments/${shipped.id}`, undefined, happy)).body).toMatchObject({ status: 'scheduled' });
    const steps = (await call(3000, 'GET', `/orders/${shipped.id}/history`, undefined, happy)).body.data;
    expect(steps.map((h: { to_status: string }) => h.to_status)).toEqual(['confirmed', 'paid', 'shipped']);

    const refused = await order(declined, declineSku);
    await reaches(declined, refused.id, 'cancelled');
    await eventually(async () => (await stock(declineSku)).quantity === 5, 30_000, 'stock back after the decline');
    expect(await payment(declined, refused.id)).toMatchObject({ status: 'failed', refund_ref: null });

    const address = { name: 'Saga', line1: '1 Nowhere', city: 'Void', postal_code: '00000', country: 'US' };
    const unsent = await order(unshippable, noShipSku, { shipping_address: address });
    await reaches(unshippable, unsent.id, 'cancelled');
    await eventually(async () => (await payment(unshippable, unsent.id)).status === 'refunded', 60_000, 'refund');
    await eventually(async () => (await stock(noShipSku)).quantity === 5, 30_000, 'restocked');

    const late = await order(unpaid, silentSku);
    const timedOut = await reaches(unpaid, late.id, 'cancelled', 90_000);
    expect(timedOut.cancel_reason).toBe('no payment arrived in time');
    await eventually(async () => (await stock(silentSku)).quantity === 5, 30_000, 'stock back after the timeout');

    const forged = JSON.stringify({
      id: 'evt_forged',
      type: 'charge.succeeded',
      created: 1,
      data: { id: 'ch_x', reference: late.id, amount_cents: 650000 },
    });
    for (const signature of [undefined, 't=1,v1=00', `t=${Math.floor(Date.now() / 1000)},v1=${'ab'.repeat(32)}`]) {
      const res = await fetch(url(3008, '/payments/webhook'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'payment-signature': signature } : {}) },
        body: forged,
      });
      expect(res.status).toBe(401);
    }
    expect((await call(3000, 'GET', `/orders/${late.id}`, undefined, unpaid)).body.status).toBe('cancelled');

    const sent = async (who: string) =>
      ((await call(3003, 'GET', '/notifications?limit=100', undefined, who)).body.data as Notification[])
        .filter((n) => n.status === 'sent')
        .map((n) => `${n.kind}/${n.channel}`)
        .sort();
    const both = (...kinds: string[]) => kinds.flatMap((k) => [`${k}/email`, `${k}/push`]).sort();
    const expected: Record<string, string[]> = {
      [happy]: both('order_created', 'payment_succeeded', 'order_shipped'),
      [declined]: both('order_created', 'payment_failed'),
      [unshippable]: both('order_created', 'payment_succeeded', 'order_cancelled', 'refund_issued'),
      [unpaid]: both('order_created', 'order_cancelled'),
    };
    for (const [who, kinds] of Object.entries(expected)) {
      await eventually(async () => JSON.stringify(await sent(who)) === JSON.stringify(kinds), 60_000, `notifications of ${who}`);
    }
  });

  test('a crashed service process is restarted while the others keep running', async () => {
    // the process serving products also serves the rest of the storefront (scripts/stack/service-processes.ts)
    const serving = (service: string) =>
      descendants(dev.pid!).find((pid) => {
        try {
          const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
          return args.some((a) => a.endsWith('serve.js')) && args.includes(`${service}=${ports[service]}`);
        } catch {
          return false;
        }
      });
    const ports: Record<string, number> = { products: 3001, payments: 3008 };
    const before = serving('products');
    expect(before).toBeDefined();
    const fulfilment = serving('payments');
    expect(fulfilment).toBeDefined();
    expect(fulfilment).not.toBe(before);
    process.kill(before!, 'SIGKILL');
    await eventually(
      async () => output.includes('[dev] storefront (products, customers, cart, inventory, orders) crashed'),
      10_000,
      'the crash to be reported',
    );
    expect((await call(3008, 'GET', '/')).status).toBe(200); // the other processes never stopped
    expect(serving('payments')).toBe(fulfilment);
    await eventually(async () => (await call(3001, 'GET', '/products')).status === 200, 30_000, 'products to answer again');
    expect(serving('products')).not.toBe(before);
    expect(output).toContain('[dev] storefront (products, customers, cart, inventory, orders) restarted');
  });

  test('an emulator that lost its state gets its topology back; PostgreSQL and the emulator, killed, are started again', async () => {
    const cmdline = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    };
    const emulatorPid = () => descendants(dev.pid!).find((pid) => cmdline(pid).some((a) => a.includes('pubsub-emulator')));
    const postmasterPid = () =>
      descendants(dev.pid!).find((pid) => cmdline(pid)[0]?.endsWith('/postgres') && cmdline(pid).includes('-D'));
    const shipsAnOrder = async () => {
      const sku = `HEAL-${randomUUID().slice(0, 8)}`;
      await eventually(
        async () => (await call(3001, 'POST', '/products', { sku, name: 'Heal', price: 12 })).status === 201,
        60_000,
      );
      await eventually(
        async () => (await call(3002, 'POST', '/inventory', { product_sku: sku, quantity: 4 })).status === 201,
        30_000,
      );
      const who = (await call(3006, 'POST', '/customers', { name: 'Heal Shopper', email: `${sku}@example.com` })).body.id;
      await eventually(
        async () => (await call(3005, 'POST', '/cart/items', { product_sku: sku, quantity: 1 }, who)).status === 200,
        60_000,
        'the product to reach the cart',
      );
      const { cart_id } = (await call(3005, 'POST', '/cart/convert-to-order', undefined, who)).body;
      await eventually(
        async () => (await call(3000, 'GET', `/orders?cart_id=${cart_id}`, undefined, who)).body.data[0]?.status === 'shipped',
        90_000,
        'the order to ship',
      );
    };

    // the emulator wiped (as one restarted by someone else would be): no topic, no subscription
    await fetch(`http://127.0.0.1:${env.SHOPFLOW_PUBSUB_PORT}/reset`, { method: 'POST' });
    await eventually(async () => output.includes('[dev] topology: provisioned again'), 30_000, 'the topology to come back');
    await shipsAnOrder();

    const [emulatorBefore, postmasterBefore] = [emulatorPid(), postmasterPid()];
    expect(emulatorBefore).toBeDefined();
    expect(postmasterBefore).toBeDefined();
    process.kill(emulatorBefore!, 'SIGKILL');
    process.kill(postmasterBefore!, 'SIGKILL');
    await eventually(
      async () =>
        output.includes('[dev] the Pub/Sub emulator running again') && output.includes('[dev] PostgreSQL running again'),
      60_000,
      `both to be started again; output:\n${output.slice(-2000)}`,
    );
    expect(emulatorPid()).not.toBe(emulatorBefore);
    expect(postmasterPid()).not.toBe(postmasterBefore);
    await shipsAnOrder();
  });

  test('a second stack refuses to start while one runs, with a clear message, and the first keeps running', async () => {
    const second = spawnSync('npm', ['run', 'dev'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(second.status).not.toBe(0);
    expect(second.stdout + second.stderr).toMatch(/already running/);
    expect((await call(3001, 'GET', '/')).status).toBe(200);
  });

  test('Ctrl-C stops everything it started', async () => {
    const tree = descendants(dev.pid!);
    expect(tree.length).toBeGreaterThan(5);
    process.kill(-dev.pid!, 'SIGINT');
    await eventually(async () => dev.exitCode !== null || dev.signalCode !== null, 30_000, 'npm run dev to exit');
    await eventually(
      async () => tree.every((pid) => !alive(pid)),
      15_000,
      `every process to stop: ${tree.filter(alive).join(', ')}`,
    );
    expect(output).toContain('[dev] stopped.');
  });
});
