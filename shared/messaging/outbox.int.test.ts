import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { db } from '../db';
import { freePort } from '../../test/support/global-setup';
import { captureTopic, eventually, startSystem, type TestSystem } from '../../test/support/harness';
import { inTransaction } from './outbox';
import { publishOutbox } from './relay';

/**
 * I4: an event whose producing transaction committed is published, even if the process dies
 * right after the commit or the broker is unreachable at that moment; the sweeper delivers it
 * with the event_id it was given at commit time, and concurrent sweepers never double-publish.
 */
let system: TestSystem;
const root = path.resolve(__dirname, '../..');

beforeAll(async () => {
  system = await startSystem(['messaging']);
});
afterAll(() => system.stop());

async function startProducts(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = fork(path.join(root, 'scripts/serve.ts'), ['products'], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`products exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

const createProduct = (url: string, sku: string) =>
  fetch(`${url}/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku, name: sku, price: 5 }),
  });

const sweep = () => fetch(`${system.hosts.messaging!.functionUrl('outbox-sweeper')}`, { method: 'POST' }).then((r) => r.json());
const outboxRowFor = (sku: string) => db()('messaging.outbox').whereRaw(`data->>'sku' = ?`, [sku]).first();

describe('transactional outbox', () => {
  test('given a process killed between commit and publish, when the sweeper runs, then the committed event is published with its event_id', async () => {
    const capture = await captureTopic('product.created');
    const { child } = await startProducts({ SHOPFLOW_FAILPOINT: 'crash-after-commit' }).then(async (p) => {
      await expect(createProduct(p.url, 'CRASHED')).rejects.toThrow();
      return p;
    });
    await eventually(async () => child.exitCode !== null || child.signalCode !== null);
    expect(child.signalCode).toBe('SIGKILL');

    expect(await db()('catalog.products').where({ sku: 'CRASHED' }).first()).toBeDefined();
    const row = await outboxRowFor('CRASHED');
    expect(row.published_at).toBeNull();
    expect(capture.messages).toHaveLength(0);

    expect(await sweep()).toMatchObject({ job: 'outbox-sweeper', published: 1 });
    const message = await eventually(async () => capture.messages.find((m) => m.data.sku === 'CRASHED'));
    expect(message.attributes.event_id).toBe(row.id);
    expect((await outboxRowFor('CRASHED')).published_at).not.toBeNull();
    await capture.close();
  });

  test('given Pub/Sub unreachable at commit time, then the write still succeeds and the sweeper publishes it later', async () => {
    const capture = await captureTopic('product.created');
    const dead = `127.0.0.1:${await freePort()}`;
    const { child, url } = await startProducts({ PUBSUB_EMULATOR_HOST: dead });
    const res = await createProduct(url, 'BROKER-DOWN');
    expect(res.status).toBe(201);
    const row = await outboxRowFor('BROKER-DOWN');
    expect(row.published_at).toBeNull();
    expect(row.publish_attempts).toBe(1);
    expect(row.last_error).toBeTruthy();
    child.kill('SIGTERM');

    await sweep();
    const message = await eventually(async () => capture.messages.find((m) => m.data.sku === 'BROKER-DOWN'));
    expect(message.attributes.event_id).toBe(row.id);
    await capture.close();
  }, 60_000);

  test('given many unpublished rows, when five sweepers run at once, then every event is published exactly once', async () => {
    const capture = await captureTopic('customer.deleted');
    const ids: string[] = [];
    await db().transaction(async (tx) => {
      for (let i = 0; i < 60; i++) {
        const id = crypto.randomUUID();
        ids.push(id);
        await tx('messaging.outbox').insert({
          id,
          service: 'customers',
          topic: 'customer.deleted',
          data: JSON.stringify({ customer_id: crypto.randomUUID(), version: 2 }),
          attributes: {
            event_id: id,
            event_type: 'customer.deleted',
            event_version: '1',
            occurred_at: new Date().toISOString(),
            correlation_id: id,
          },
        });
      }
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => publishOutbox({ olderThanMs: 0, limit: 100 })));
    expect(results.reduce((sum, r) => sum + r.published, 0)).toBe(60);
    await eventually(async () => capture.messages.length >= 60);
    await new Promise((r) => setTimeout(r, 500));
    expect(capture.messages.map((m) => m.attributes.event_id).sort()).toEqual([...ids].sort());
    await capture.close();
  });

  test('given an emit with a payload that breaks its schema, then the whole transaction rolls back', async () => {
    await expect(
      inTransaction('products', async ({ tx, emit }) => {
        await tx('catalog.products').insert({ sku: 'ROLLBACK', name: 'x', price_cents: 100 });
        await emit('product.created', { sku: 'ROLLBACK' } as never, { correlationId: 'ROLLBACK' });
      }),
    ).rejects.toThrow();
    expect(await db()('catalog.products').where({ sku: 'ROLLBACK' }).first()).toBeUndefined();
    expect(await outboxRowFor('ROLLBACK')).toBeUndefined();
  });

  test('given an emit inside a savepoint that rolls back, then that event is never published', async () => {
    const capture = await captureTopic('product.deleted');
    await inTransaction('products', async ({ tx, emit }) => {
      await emit('product.deleted', { sku: 'KEPT', version: 2 }, { correlationId: 'KEPT' });
      await tx
        .transaction(async () => {
          await emit('product.deleted', { sku: 'UNDONE', version: 2 }, { correlationId: 'UNDONE' });
          throw new Error('roll this savepoint back');
        })
        .catch(() => undefined);
    });
    await eventually(async () => capture.messages.some((m) => m.data.sku === 'KEPT'));
    await new Promise((r) => setTimeout(r, 500));
    expect(capture.messages.map((m) => m.data.sku)).toEqual(['KEPT']);
    await capture.close();
  });
});
