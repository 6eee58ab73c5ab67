import { createHmac, randomUUID } from 'node:crypto';
import { db } from '../shared/db';
import { captureTopic, eventually, publishRaw, settle, startSystem, type HttpClient, type TestSystem } from './support/harness';
import { losingFor } from './support/lose';
import { shop } from './support/shop';

/**
 * The rest of the order's life, through the emulator, the services and the provider sandboxes:
 * payment, shipment, compensation and the payment timeout, each branch with its stock, money and history.
 */
process.env.PAYMENT_TIMEOUT_SECONDS = '1';
let system: TestSystem;
let s: ReturnType<typeof shop>;
let orders: HttpClient;
let payments: HttpClient;

beforeAll(async () => {
  system = await startSystem(['products', 'inventory', 'cart', 'orders', 'payments', 'shipments', 'messaging']);
  s = shop(system);
  orders = system.http('orders');
  payments = system.http('payments');
});
afterAll(() => system.stop());

const sandbox = () => system.sandboxes!.payments!;
const orderNow = async (id: string) => (await orders('GET', `/orders/${id}`)).body;
const statusOf = (id: string, status: string, timeoutMs = 30_000) =>
  eventually(async () => (await orderNow(id)).status === status && orderNow(id), timeoutMs, `order ${id} to be ${status}`);
const paymentOf = async (orderId: string) => (await payments('GET', `/payments/${orderId}`)).body;
const refundsOf = (orderId: string) => [...sandbox().refunds.values()].filter((r) => r.reference === orderId);
const stockRow = (sku: string) => db()('inventory.stock').where({ product_sku: sku }).first('available', 'reserved', 'sold');
const historyOf = async (id: string) => (await orders('GET', `/orders/${id}/history`)).body.data;

/** A new customer's order of `quantity` units of a new product at `price`, once confirmed. */
async function placeOrder(sku: string, price: number, units: number, quantity: number, address?: object) {
  await s.stockedProduct(sku, price, units);
  const customer = s.newCustomer();
  await s.add(customer, sku, quantity);
  const res = await system.http('cart')('POST', '/cart/convert-to-order', {
    customer,
    body: address ? { shipping_address: address } : undefined,
  });
  expect(res.status).toBe(202);
  const order = await s.orderOf(customer, res.body.cart_id);
  return { customer, order };
}

const address = (postal_code: string) => ({ name: 'Ada', line1: '1 Main St', city: 'Springfield', postal_code, country: 'US' });

describe('the order saga', () => {
  test('an order is paid, shipped, and its reserved units become sold', async () => {
    const { order } = await placeOrder('SAGA-OK', 20, 10, 3);
    const shipped = await statusOf(order.id, 'shipped');
    expect(shipped.total).toBe(60);
    await eventually(async () => (await stockRow('SAGA-OK')).sold === 3, 20_000, 'units sold');
    expect(await stockRow('SAGA-OK')).toEqual({ available: 7, reserved: 0, sold: 3 });
    expect(await paymentOf(order.id)).toMatchObject({ status: 'captured', amount: 60 });
    expect((await system.http('shipments')('GET', `/shipments/${order.id}`)).body).toMatchObject({ status: 'scheduled' });

    const steps = await historyOf(order.id);
    expect(steps.map((h: { to_status: string }) => h.to_status)).toEqual(['confirmed', 'paid', 'shipped']);
    // Pub/Sub delivers each subscription on its own: shipments may book the shipment and its event reach orders before
    // orders' own copy of payment.succeeded does; then shipment.scheduled implies `paid` (orders/domain.ts)
    const causes = steps.map((h: { caused_by_event_type: string; caused_by_service: string }) => [
      h.caused_by_event_type,
      h.caused_by_service,
    ]);
    expect([
      [
        ['stock-available', 'inventory'],
        ['payment.succeeded', 'payments'],
        ['shipment.scheduled', 'shipments'],
      ],
      [
        ['stock-available', 'inventory'],
        ['shipment.scheduled', 'shipments'],
        ['shipment.scheduled', 'shipments'],
      ],
    ]).toContainEqual(causes);
    for (const step of steps) expect(step.caused_by_event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a declined payment cancels the order, returns the stock and refunds nothing', async () => {
    const { order } = await placeOrder('SAGA-DECLINE', 5000, 4, 1);
    const cancelled = await statusOf(order.id, 'cancelled');
    expect(cancelled.cancel_reason).toContain('declined');
    await eventually(async () => (await stockRow('SAGA-DECLINE')).available === 4, 20_000, 'stock back');
    expect(await stockRow('SAGA-DECLINE')).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect(await paymentOf(order.id)).toMatchObject({ status: 'failed', failure_reason: 'card_declined' });
    await settle();
    expect(refundsOf(order.id)).toHaveLength(0);
    expect((await system.http('shipments')('GET', `/shipments/${order.id}`)).body).toMatchObject({ status: 'cancelled' });
  });

  test('a shipment the carrier refuses cancels the paid order: one refund, stock back', async () => {
    const { order } = await placeOrder('SAGA-NOSHIP', 15, 5, 2, address('00000'));
    const cancelled = await statusOf(order.id, 'cancelled');
    expect(cancelled.cancel_reason).toContain('carrier');
    await eventually(async () => (await paymentOf(order.id)).status === 'refunded', 30_000, 'the refund');
    await settle();
    expect(refundsOf(order.id)).toHaveLength(1);
    expect(refundsOf(order.id)[0].amount_cents).toBe(3000);
    expect(await stockRow('SAGA-NOSHIP')).toEqual({ available: 5, reserved: 0, sold: 0 });
    const steps = await historyOf(order.id);
    expect(steps.map((h: { to_status: string }) => h.to_status)).toEqual(['confirmed', 'paid', 'cancelled', 'cancelled']);
    expect(steps[3].reason).toBe('refund issued');
  });

  test('a payment.succeeded that reaches orders after the carrier refused writes no note: the refusal implied the payment', async () => {
    const capture = await captureTopic('payment.succeeded');
    try {
      const order = await losingFor('orders', 'payment.succeeded', async () => {
        const placed = (await placeOrder('SAGA-OVERTAKEN', 15, 5, 1, address('00000'))).order;
        await statusOf(placed.id, 'cancelled');
        return placed;
      });
      const late = await eventually(
        async () => capture.messages.find((m) => m.data.order_id === order.id),
        20_000,
        'the payment.succeeded orders missed',
      );
      await publishRaw('payment.succeeded', JSON.stringify(late.data), late.attributes);
      await eventually(async () => (await paymentOf(order.id)).status === 'refunded', 30_000, 'the refund');
      await settle();
      const steps = await historyOf(order.id);
      expect(steps.map((h: { to_status: string }) => h.to_status)).toEqual(['confirmed', 'paid', 'cancelled', 'cancelled']);
      expect(steps[1]).toMatchObject({ caused_by_event_type: 'shipment.failed', reason: 'implied by shipment.failed' });
      expect(steps[3].reason).toBe('refund issued');
      expect(refundsOf(order.id)).toHaveLength(1);
    } finally {
      await capture.close();
    }
  });

  test('an order not paid in time is cancelled; a payment that succeeds later is refunded, never turns it paid', async () => {
    sandbox().webhookDelayMs = 2_500;
    try {
      const { order } = await placeOrder('SAGA-LATE', 12, 3, 1);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await system.runJob('payment-timeout')).toMatchObject({ cancelled: 1 });
      await statusOf(order.id, 'cancelled');
      await eventually(async () => (await stockRow('SAGA-LATE')).available === 3, 20_000, 'stock back');
      // the late success arrives, is parked for a refund, and the reconciler issues it
      await eventually(async () => (await paymentOf(order.id)).status === 'refund_pending', 20_000, 'late success seen');
      sandbox().webhookDelayMs = 0;
      await system.runJob('payments-reconcile');
      await eventually(async () => (await paymentOf(order.id)).status === 'refunded', 20_000, 'refund');
      await settle();
      expect((await orderNow(order.id)).status).toBe('cancelled');
      expect(refundsOf(order.id)).toHaveLength(1);
      expect(await stockRow('SAGA-LATE')).toEqual({ available: 3, reserved: 0, sold: 0 });
      expect(await system.runJob('payment-timeout')).toMatchObject({ cancelled: 0 });
    } finally {
      sandbox().webhookDelayMs = 0;
    }
  });

  test('a charge the provider never answers is cancelled by the timeout, with its stock back', async () => {
    const { order } = await placeOrder('SAGA-SILENT', 6000, 2, 1);
    await new Promise((r) => setTimeout(r, 1_100));
    await system.runJob('payment-timeout');
    const cancelled = await statusOf(order.id, 'cancelled');
    expect(cancelled.cancel_reason).toBe('no payment arrived in time');
    await eventually(async () => (await stockRow('SAGA-SILENT')).available === 2, 20_000, 'stock back');
    await eventually(async () => (await paymentOf(order.id)).order_cancelled === true, 20_000, 'payments told');
    expect((await paymentOf(order.id)).status).toBe('submitted');
  });
});

describe('provider outages park the work for the reconcilers; nothing is lost or done twice', () => {
  const reconcileUntil = (job: 'payments-reconcile' | 'shipments-reconcile', done: () => Promise<boolean>, what: string) =>
    eventually(
      async () => {
        await system.runJob(job);
        return done();
      },
      30_000,
      what,
    );

  test('a charge made while the provider is down is parked, then made once when it is back', async () => {
    sandbox().down = true;
    let order: { id: string };
    try {
      ({ order } = await placeOrder('OUTAGE-PAY', 8, 3, 1));
      const parked = await eventually(
        async () => {
          const p = await paymentOf(order.id);
          return p.status === 'pending' && p.attempts >= 1 && p;
        },
        20_000,
        'the charge parked',
      );
      expect(parked.last_error).toContain('unavailable');
      expect((await orderNow(order.id)).status).toBe('confirmed');
    } finally {
      sandbox().down = false;
    }
    await reconcileUntil('payments-reconcile', async () => (await paymentOf(order.id)).status === 'captured', 'the charge');
    await statusOf(order.id, 'shipped');
    expect([...sandbox().charges.values()].filter((c) => c.reference === order.id)).toHaveLength(1);
  });

  test('a refund that fails while the provider is down is retried until it is made, never twice', async () => {
    const carrier = system.sandboxes!.carrier!;
    carrier.down = true; // hold the paid order before its booking, which the carrier will refuse
    const { order } = await placeOrder('OUTAGE-REFUND', 8, 3, 1, address('00000'));
    try {
      await statusOf(order.id, 'paid');
      await eventually(
        async () => (await system.http('shipments')('GET', `/shipments/${order.id}`)).body.attempts >= 1,
        20_000,
        'the booking parked',
      );
      sandbox().down = true;
      carrier.down = false;
      await reconcileUntil('shipments-reconcile', async () => (await orderNow(order.id)).status === 'cancelled', 'the refusal');
      await eventually(async () => (await paymentOf(order.id)).attempts >= 1, 20_000, 'the refund parked');
      expect((await paymentOf(order.id)).status).toBe('refund_pending');
    } finally {
      carrier.down = false;
      sandbox().down = false;
    }
    await reconcileUntil('payments-reconcile', async () => (await paymentOf(order.id)).status === 'refunded', 'the refund');
    await system.runJob('payments-reconcile');
    await settle();
    expect(refundsOf(order.id)).toHaveLength(1);
    expect(await stockRow('OUTAGE-REFUND')).toEqual({ available: 3, reserved: 0, sold: 0 });
  });

  test('a shipment booked while the carrier is down is parked, then booked once', async () => {
    const carrier = system.sandboxes!.carrier!;
    carrier.down = true;
    let order: { id: string };
    try {
      ({ order } = await placeOrder('OUTAGE-SHIP', 8, 3, 1));
      await statusOf(order.id, 'paid');
      await eventually(
        async () => (await system.http('shipments')('GET', `/shipments/${order.id}`)).body.attempts >= 1,
        20_000,
        'the booking parked',
      );
    } finally {
      carrier.down = false;
    }
    await reconcileUntil('shipments-reconcile', async () => (await orderNow(order.id)).status === 'shipped', 'the booking');
    expect([...carrier.bookings.values()].filter((b) => b.reference === order.id)).toHaveLength(1);
  });
});

describe('duplicates and forgeries change nothing', () => {
  const sign = (body: string, secret = process.env.PAYMENT_WEBHOOK_SECRET!, t = Math.floor(Date.now() / 1000)) =>
    `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  const webhook = (body: string, signature?: string) =>
    payments('POST', '/payments/webhook', {
      raw: body,
      headers: { 'content-type': 'application/json', ...(signature ? { 'payment-signature': signature } : {}) },
    });

  /** Everything that can change in a finished flow. */
  const picture = async (orderId: string, sku: string) => ({
    order: (await orderNow(orderId)).status,
    history: (await historyOf(orderId)).length,
    payment: (await paymentOf(orderId)).status,
    refunds: refundsOf(orderId).length,
    bookings: [...system.sandboxes!.carrier!.bookings.values()].filter((b) => b.reference === orderId).length,
    stock: await stockRow(sku),
    outbox: Number((await db()('messaging.outbox').count<{ n: string }[]>('* as n'))[0].n),
  });

  test('re-published payment.* and shipment.* events, with the same and with new event ids, change nothing', async () => {
    const flows = [await placeOrder('DUP-OK', 9, 5, 1), await placeOrder('DUP-NOSHIP', 9, 5, 1, address('00000'))];
    await statusOf(flows[0].order.id, 'shipped');
    await eventually(async () => (await paymentOf(flows[1].order.id)).status === 'refunded', 30_000, 'refund');
    await settle();
    const before = [await picture(flows[0].order.id, 'DUP-OK'), await picture(flows[1].order.id, 'DUP-NOSHIP')];

    const saga = await db()('messaging.outbox')
      .whereRaw(`attributes->>'correlation_id' in (?, ?)`, [flows[0].order.id, flows[1].order.id])
      .where((q) => q.where('topic', 'like', 'payment.%').orWhere('topic', 'like', 'shipment.%'))
      .select('topic', 'data', 'attributes');
    expect(saga.map((e) => e.topic).sort()).toEqual(
      ['payment.refunded', 'payment.succeeded', 'payment.succeeded', 'shipment.failed', 'shipment.scheduled'].sort(),
    );
    await Promise.all(
      saga.flatMap((e) => [
        publishRaw(e.topic, JSON.stringify(e.data), e.attributes),
        publishRaw(e.topic, JSON.stringify(e.data), e.attributes),
        publishRaw(e.topic, JSON.stringify(e.data), { ...e.attributes, event_id: randomUUID() }),
      ]),
    );
    await settle();
    await new Promise((r) => setTimeout(r, 1_000));
    await settle();
    const after = [await picture(flows[0].order.id, 'DUP-OK'), await picture(flows[1].order.id, 'DUP-NOSHIP')];
    // re-keyed copies are new events to the dedupe table, so consumers may write nothing at most
    expect(after.map(({ outbox: _o, ...rest }) => rest)).toEqual(before.map(({ outbox: _o, ...rest }) => rest));
    expect(after[0].outbox).toBe(before[0].outbox);
  });

  test('a replayed or re-sent webhook changes nothing; a forged one is a 401', async () => {
    const { order } = await placeOrder('HOOK-1', 7, 3, 1);
    await statusOf(order.id, 'shipped');
    await settle();
    const before = await picture(order.id, 'HOOK-1');
    const payment = await paymentOf(order.id);
    const event = (id: string, type = 'charge.succeeded') =>
      JSON.stringify({
        id,
        type,
        created: Math.floor(Date.now() / 1000),
        data: { id: payment.charge_ref, reference: order.id, amount_cents: 700 },
      });

    const replayId = `evt_${randomUUID()}`;
    expect((await webhook(event(replayId), sign(event(replayId)))).body).toEqual({ received: true, duplicate: false });
    expect((await webhook(event(replayId), sign(event(replayId)))).body).toEqual({ received: true, duplicate: true });
    const failed = event(`evt_${randomUUID()}`, 'charge.failed');
    expect((await webhook(failed, sign(failed))).status).toBe(200);

    const forged = event(`evt_${randomUUID()}`, 'charge.failed');
    expect((await webhook(forged)).status).toBe(401);
    expect((await webhook(forged, sign(forged, 'not-the-secret-at-all'))).status).toBe(401);
    expect((await webhook(forged, sign(forged, undefined, Math.floor(Date.now() / 1000) - 3_600))).status).toBe(401);
    expect((await webhook(forged.replace('charge.failed', 'charge.succeeded'), sign(forged))).status).toBe(401);
    expect((await webhook('{"not":"an event"}', sign('{"not":"an event"}'))).status).toBe(400);
    await settle();
    expect(await picture(order.id, 'HOOK-1')).toEqual(before);
  });
});

describe('invariants over the whole saga', () => {
  test('a race of many customers through payment, with declines mixed in, ends with exact counts (I1, I2, I3)', async () => {
    await s.stockedProduct('RACE-OK', 10, 12);
    await s.stockedProduct('RACE-DECLINE', 5000, 6);
    const buyers = Array.from({ length: 30 }, (_, i) => ({
      customer: s.newCustomer(),
      sku: i % 3 === 0 ? 'RACE-DECLINE' : 'RACE-OK',
    }));
    await Promise.all(buyers.map((b) => s.add(b.customer, b.sku, 1)));
    const carts = await Promise.all(buyers.map((b) => s.convert(b.customer)));
    const outcomes = await Promise.all(carts.map((id) => s.outcomeOf(id)));
    // I3: every cart has one outcome; declined orders give their unit back, so a later cart may get it
    const ordered = outcomes.filter((c) => c.status === 'ordered');
    expect(ordered.length + outcomes.filter((c) => c.status === 'stock-unavailable' && !c.cart_locked).length).toBe(30);

    const bySku = async (sku: string, status: string) =>
      Number(
        (
          await db()('orders.orders as o')
            .join('orders.order_items as i', 'i.order_id', 'o.id')
            .where({ 'i.product_sku': sku, 'o.status': status })
            .count<{ n: string }[]>('* as n')
        )[0].n,
      );
    const raceOrders = await db()('orders.orders').whereIn('cart_id', carts).pluck('id');
    expect(raceOrders).toHaveLength(ordered.length);
    await eventually(async () => (await bySku('RACE-OK', 'shipped')) === 12, 60_000, '12 shipped');
    const declined = ordered.length - 12;
    expect(declined).toBeGreaterThanOrEqual(6);
    await eventually(async () => (await bySku('RACE-DECLINE', 'cancelled')) === declined, 60_000, 'declined orders cancelled');
    await settle();
    // I1: nothing oversold, every unit accounted for
    expect(await stockRow('RACE-OK')).toEqual({ available: 0, reserved: 0, sold: 12 });
    expect(await stockRow('RACE-DECLINE')).toEqual({ available: 6, reserved: 0, sold: 0 });
    // I2: one payment per order, one shipment per paid order, no refund for a declined payment
    const paymentsOfRace = await db()('payments.payments').whereIn('order_id', raceOrders).select('status');
    expect(paymentsOfRace).toHaveLength(ordered.length);
    expect(paymentsOfRace.filter((p) => p.status === 'captured')).toHaveLength(12);
    expect(paymentsOfRace.filter((p) => p.status === 'failed')).toHaveLength(declined);
    const shipments = await db()('shipments.shipments').whereIn('order_id', raceOrders).select('status');
    expect(shipments.filter((x) => x.status === 'scheduled')).toHaveLength(12);
    expect([...sandbox().charges.values()].filter((c) => raceOrders.includes(c.reference))).toHaveLength(ordered.length);
    expect([...sandbox().refunds.values()].filter((r) => raceOrders.includes(r.reference))).toHaveLength(0);
  }, 120_000);
});
