import { randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import path from 'node:path';
import { db } from '../shared/db';
import { pubsub } from '../shared/messaging/pubsub';
import { sweepOutbox } from '../shared/messaging/relay';
import { hostService, pushEndpoint } from '../scripts/stack/host';
import { consumerFunctionName, pushSubscriptions } from '../shared/topology';
import { createPushSubscription } from '../scripts/stack/provision';
import { localFunctionUrl } from '../scripts/stack/push-token';
import { freePort } from './support/global-setup';
import { eventually, publishRaw, settle, startSystem, type TestSystem } from './support/harness';
import { shop } from './support/shop';

/** SPEC §5 invariants under concurrency, duplicates, crashes, poison and disorder. */
let system: TestSystem;
let s: ReturnType<typeof shop>;

beforeAll(async () => {
  system = await startSystem(['products', 'inventory', 'cart', 'orders', 'messaging']);
  s = shop(system);
});
afterAll(() => system.stop());

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await db()(table).where(where).count<{ n: string }[]>('* as n'))[0].n);

/** Every outbox row of a flow, to re-publish exactly as the producer did (same event_id). */
const eventsOf = (where: string, bindings: string[]) =>
  db()('messaging.outbox').whereRaw(where, bindings).select('topic', 'data', 'attributes');

const republish = (row: { topic: string; data: unknown; attributes: Record<string, string> }, attributes = row.attributes) =>
  publishRaw(row.topic, JSON.stringify(row.data), attributes);

describe('invariants', () => {
  test('I1 no overselling: 200 carts converting at once for 50 units yield exactly 50 orders and 150 rejections', async () => {
    await s.stockedProduct('HOT', 9.99, 50);
    const customers = Array.from({ length: 200 }, () => s.newCustomer());
    await Promise.all(customers.map((c) => s.add(c, 'HOT', 1)));
    const carts = await Promise.all(customers.map((c) => s.convert(c)));

    const outcomes = await Promise.all(carts.map((id) => s.outcomeOf(id)));
    expect(outcomes.filter((c) => c.status === 'ordered')).toHaveLength(50);
    expect(outcomes.filter((c) => c.status === 'stock-unavailable' && !c.cart_locked)).toHaveLength(150);
    expect(await count('orders.orders', {})).toBeGreaterThanOrEqual(50);
    expect(
      Number((await db()('orders.order_items').where({ product_sku: 'HOT' }).sum<{ n: string }[]>('quantity as n'))[0].n),
    ).toBe(50);
    const stock = await db()('inventory.stock').where({ product_sku: 'HOT' }).first();
    expect(stock).toMatchObject({ available: 0, reserved: 50, sold: 0 });
    expect(stock.available + stock.reserved + stock.sold).toBe(50);
  }, 120_000);

  test('I2 the same events re-published (new message ids, same event_id), concurrently, change nothing', async () => {
    const { cartId, order } = await s.cancelledOrder('DUP', 10, 2);
    await settle();

    const events = await eventsOf(`attributes->>'correlation_id' in (?, ?)`, [cartId, order.id]);
    expect(events.map((e) => e.topic).sort()).toEqual(['order-requested', 'order.cancelled', 'order.created', 'stock-available']);
    await Promise.all(events.flatMap((e) => Array.from({ length: 5 }, () => republish(e))));
    await settle();
    await new Promise((r) => setTimeout(r, 1_500));

    expect(await count('orders.orders', { cart_id: cartId })).toBe(1);
    expect(await count('inventory.reservations', { cart_id: cartId })).toBe(1);
    expect(await s.stock('DUP')).toMatchObject({ quantity: 10, reserved: 0 });
    expect(await count('messaging.outbox', { topic: 'order.created' })).toBe(await count('orders.orders'));
    expect((await db()('cart.carts').where({ id: cartId }).first()).status).toBe('ordered');
  });

  test('I2 the same facts under a new event_id (a buggy producer) still give one order, one reservation, one release', async () => {
    const { cartId, order } = await s.cancelledOrder('NEWID', 10, 3);
    await settle();

    const events = await eventsOf(`attributes->>'correlation_id' in (?, ?)`, [cartId, order.id]);
    await Promise.all(events.map((e) => republish(e, { ...e.attributes, event_id: randomUUID() })));
    await settle();

    expect(await count('orders.orders', { cart_id: cartId })).toBe(1);
    expect(await count('inventory.reservations', { cart_id: cartId })).toBe(1);
    expect(await s.stock('NEWID')).toMatchObject({ quantity: 10, reserved: 0 });
  });

  test('out of order: order.cancelled processed again after the stock was released changes nothing', async () => {
    const { order } = await s.cancelledOrder('LATE', 5, 5);

    // someone else now reserves the released units; a late duplicate cancel must not free them again
    const other = s.newCustomer();
    await s.add(other, 'LATE', 5);
    await s.orderOf(other, await s.convert(other));
    const [cancel] = await eventsOf(`topic = 'order.cancelled' and data->>'order_id' = ?`, [order.id]);
    await republish(cancel, { ...cancel.attributes, event_id: randomUUID() });
    await republish(cancel);
    await settle();
    expect(await s.stock('LATE')).toMatchObject({ quantity: 0, reserved: 5 });
  });

  test('I5 a poison message on every subscription of the flow does not block the next good order', async () => {
    const flowSubscriptions = pushSubscriptions().filter((sub) => ['cart', 'inventory', 'orders'].includes(sub.service));
    const poison = await Promise.all(
      flowSubscriptions.flatMap((sub) => [
        publishRaw(sub.topic, 'not json'),
        publishRaw(sub.topic, JSON.stringify({ cart_id: 'nope' }), {
          event_id: randomUUID(),
          event_type: sub.topic,
          event_version: '1',
          occurred_at: new Date().toISOString(),
          correlation_id: 'poison',
        }),
      ]),
    );
    await s.stockedProduct('AFTER-POISON', 2, 5);
    const customer = s.newCustomer();
    await s.add(customer, 'AFTER-POISON', 1);
    expect(await s.orderOf(customer, await s.convert(customer))).toMatchObject({ status: 'confirmed' });

    await eventually(async () => (await db()('messaging.dead_letters').whereIn('message_id', poison)).length >= poison.length);
    const consumers = new Set((await db()('messaging.dead_letters').whereIn('message_id', poison)).map((d) => d.consumer));
    expect([...consumers].sort()).toEqual(flowSubscriptions.map((sub) => sub.name).sort());
  });

  test('I4 inventory dies after committing a reservation, before publishing: the redelivery is a duplicate and the sweeper delivers stock-available', async () => {
    const subscription = consumerFunctionName('inventory', 'order-requested');
    const port = await freePort();
    const child = fork(path.resolve(__dirname, '../scripts/serve.ts'), ['inventory'], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(port), SHOPFLOW_FAILPOINT: 'crash-after-commit' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    await new Promise((resolve) => child.once('message', resolve));
    const endpoint = (base: string) =>
      `${localFunctionUrl(base, subscription)}/projects/${system.project}/topics/order-requested`;
    await createPushSubscription(
      pubsub(),
      { name: subscription, topic: 'order-requested', deadLetterTopic: null },
      endpoint(`http://127.0.0.1:${port}`),
    );

    await s.stockedProduct('CRASH', 7, 3);
    const customer = s.newCustomer();
    await s.add(customer, 'CRASH', 2);
    const cartId = await s.convert(customer);
    await eventually(async () => child.signalCode === 'SIGKILL', 20_000, 'inventory to crash');
    expect(await db()('inventory.reservations').where({ cart_id: cartId })).toHaveLength(1);
    const [pending] = await db()('messaging.outbox')
      .where({ topic: 'stock-available' })
      .whereNull('published_at')
      .whereRaw(`data->>'cart_id' = ?`, [cartId]);
    expect(pending).toBeDefined();

    const healthy = await hostService('inventory', 0);
    await pubsub()
      .subscription(subscription)
      .modifyPushConfig({ pushEndpoint: pushEndpoint(healthy, subscription, system.project, 'order-requested') });
    await sweepOutbox();
    expect(await s.orderOf(customer, cartId)).toMatchObject({ status: 'confirmed', total: 14 });
    expect(await db()('inventory.reservations').where({ cart_id: cartId })).toHaveLength(1);
    expect(await s.stock('CRASH')).toMatchObject({ quantity: 1, reserved: 2 });
    // restore the original in-process endpoint before the next test
    await pubsub()
      .subscription(subscription)
      .modifyPushConfig({ pushEndpoint: pushEndpoint(system.hosts.inventory!, subscription, system.project, 'order-requested') });
    await healthy.close();
  }, 60_000);
});
