import { db } from '../../shared/db';
import { unconsumedEvents } from '../../shared/messaging/unconsumed';
import { pushSubscriptions } from '../../shared/topology';
import type { FaultStack } from './stack';
import type { Injected } from './injectors';
import type { Convert, WorkloadRecord } from './workload';

/**
 * The accounting at quiescence: what the workload was told, compared with the database, the
 * providers' sandboxes, the mail received and the customers' own view through the APIs. Every
 * finding lands in one category (lost, duplicated effect, unexpected state, invariant violation)
 * with a few examples; each category must be 0.
 */
/** A poison message still delivered this long after it was first dead-lettered is looping (I5). */
const LOOP_AFTER_MS = 5 * 60_000;

export type Category = 'lost' | 'duplicated effects' | 'unexpected states' | 'I1' | 'I2' | 'I3' | 'I4' | 'I5';
export type Findings = Record<Category, { count: number; examples: string[] }>;

export interface Tally {
  findings: Findings;
  outcomes: Record<string, number>;
}

export async function checkAll(
  stack: FaultStack,
  record: WorkloadRecord,
  injected: Injected,
  mails: Map<string, number>,
  inventoryViolations: string[],
  customers: string[],
  customerOrders: (customer: string) => Promise<{ id: string; cart_id: string; status: string }[] | undefined>,
): Promise<Tally> {
  const findings = Object.fromEntries(
    (['lost', 'duplicated effects', 'unexpected states', 'I1', 'I2', 'I3', 'I4', 'I5'] as Category[]).map((c) => [
      c,
      { count: 0, examples: [] as string[] },
    ]),
  ) as Findings;
  const find = (category: Category, example: string) => {
    findings[category].count++;
    if (findings[category].examples.length < 5) findings[category].examples.push(example);
  };
  const outcomes: Record<string, number> = {};
  const tally = (what: string) => (outcomes[what] = (outcomes[what] ?? 0) + 1);
  for (const v of inventoryViolations) find('I1', v);

  const k = db();
  const requested = await k('messaging.outbox').where({ topic: 'order-requested' }).orderBy('created_at').select('id', 'data');
  const results = await k('messaging.outbox')
    .whereIn('topic', ['stock-available', 'stock.rejected'])
    .select('topic', k.raw(`attributes->>'causation_id' as cause`), 'data');
  const orders = await k('orders.orders').select('id', 'cart_id', 'customer_id', 'status');
  outcomes['orders created'] = orders.length;
  const cancels = await k('messaging.outbox')
    .where({ topic: 'order.cancelled' })
    .select(k.raw(`data->>'order_id' as order_id`), k.raw(`data->>'cause' as cause`));
  const items = await k('orders.order_items').select('order_id', 'product_sku', 'quantity');
  const carts = await k('cart.carts').select('id', 'status', 'cart_locked');
  const reservations = await k('inventory.reservations').select('cart_id', 'status');
  const payments = await k('payments.payments').select('order_id', 'status');
  const shipments = await k('shipments.shipments').select('order_id', 'status');
  const charges = groupBy([...stack.sandboxes.payments!.charges.values()], (c) => c.reference);
  const refundsOf = groupBy([...stack.sandboxes.payments!.refunds.values()], (r) => r.charge);
  const bookings = groupBy(
    [...stack.sandboxes.carrier!.bookings.values()].filter((b) => b.status === 'booked'),
    (b) => b.reference,
  );

  // I3 and I2 per order-requested: exactly one inventory outcome, at most one order per cart
  const byCart = groupBy(requested, (r) => r.data.cart_id);
  const resultsOf = groupBy(results, (r) => r.cause);
  const ordersOf = groupBy(orders, (o) => o.cart_id);
  const converts = groupBy(record.converts, (c) => c.cartId);
  for (const [cartId, list] of converts) {
    const events = byCart.get(cartId) ?? [];
    if (events.length < list.length)
      find('lost', `cart ${cartId}: ${list.length} accepted converts, ${events.length} order-requested`);
    if ((ordersOf.get(cartId) ?? []).length > 1) find('I2', `cart ${cartId}: ${ordersOf.get(cartId)!.length} orders`);
    list.forEach((convert, i) => {
      const event = events[i];
      if (!event) return;
      const outcome = resultsOf.get(event.id) ?? [];
      if (outcome.length === 0) return find('I3', `order-requested ${event.id} (cart ${cartId}) has no outcome`);
      if (outcome.length > 1) return find('I3', `order-requested ${event.id} has ${outcome.length} outcomes`);
      const last = i === list.length - 1;
      if (outcome[0].topic === 'stock.rejected') {
        tally('rejected (insufficient stock)');
        const cart = carts.find((c) => c.id === cartId);
        if (last && (cart?.cart_locked || cart?.status === 'processing')) find('I3', `cart ${cartId} rejected but still locked`);
        return;
      }
      if (!last) return find('unexpected states', `cart ${cartId}: converted again after an order`);
      checkOrder(convert, ordersOf.get(cartId)?.[0]);
    });
  }

  function checkOrder(convert: Convert, order: { id: string; status: string } | undefined): void {
    if (!order) return find('lost', `cart ${convert.cartId}: stock reserved, no order`);
    const cart = carts.find((c) => c.id === convert.cartId);
    if (cart?.status !== 'ordered') find('unexpected states', `cart ${convert.cartId} is ${cart?.status} with order ${order.id}`);
    const lines = items
      .filter((i) => i.order_id === order.id)
      .map((i) => `${i.product_sku}x${i.quantity}`)
      .sort();
    const seen = convert.items.map((i) => `${i.product_sku}x${i.quantity}`).sort();
    if (lines.join() !== seen.join()) find('unexpected states', `order ${order.id}: items ${lines} but the cart showed ${seen}`);
    const cancelled = cancels.filter((c) => c.order_id === order.id);
    if (cancelled.length > 1) find('duplicated effects', `order ${order.id}: ${cancelled.length} order.cancelled`);
    const cause = cancelled[0]?.cause;
    const expected: Record<string, string> = {
      ship: 'shipped',
      decline: 'cancelled:payment_failed',
      undeliverable: 'cancelled:shipment_failed',
      cancel: convert.cancelStatus === 200 ? 'cancelled:requested' : convert.cancelStatus === 409 ? 'shipped' : '',
    };
    const actual = order.status === 'cancelled' ? `cancelled:${cause}` : order.status;
    tally(`order ${actual}`);
    if (['confirmed', 'paid'].includes(order.status)) find('unexpected states', `order ${order.id} still ${order.status}`);
    else if (expected[convert.scenario] && expected[convert.scenario] !== actual)
      find(
        'unexpected states',
        `order ${order.id} (${convert.scenario}) ended ${actual}, expected ${expected[convert.scenario]}`,
      );
    const reservation = reservations.filter((r) => r.cart_id === convert.cartId);
    const wantReservation = order.status === 'shipped' ? 'sold' : 'released';
    if (reservation.length !== 1 || reservation[0].status !== wantReservation)
      find('unexpected states', `order ${order.id} ${order.status}: reservation ${JSON.stringify(reservation)}`);
    checkMoney(order);
    checkShipment(order, cause);
  }

  function checkMoney(order: { id: string; status: string }): void {
    const rows = payments.filter((p) => p.order_id === order.id);
    const atProvider = charges.get(order.id) ?? [];
    if (atProvider.length > 1) find('duplicated effects', `order ${order.id}: ${atProvider.length} charges at the provider`);
    for (const charge of atProvider) {
      const refunds = refundsOf.get(charge.id) ?? [];
      if (refunds.length > 1) find('duplicated effects', `charge ${charge.id}: ${refunds.length} refunds`);
      const kept = charge.status === 'succeeded' ? charge.amount_cents - charge.refunded_cents : 0;
      if (order.status === 'cancelled' && kept !== 0)
        find('unexpected states', `cancelled order ${order.id}: ${kept} cents kept`);
      if (order.status === 'shipped' && kept !== charge.amount_cents)
        find('unexpected states', `shipped order ${order.id} not paid`);
    }
    if (order.status === 'shipped' && atProvider.length === 0)
      find('unexpected states', `shipped order ${order.id} never charged`);
    if (rows.some((p) => ['pending', 'submitted', 'refund_pending'].includes(p.status)))
      find('unexpected states', `order ${order.id}: payment still ${rows.map((p) => p.status)}`);
  }

  function checkShipment(order: { id: string; status: string }, cause: string | undefined): void {
    const booked = bookings.get(order.id) ?? [];
    if (booked.length > 1) find('duplicated effects', `order ${order.id}: ${booked.length} live bookings at the carrier`);
    if (order.status === 'shipped' && booked.length !== 1) find('unexpected states', `shipped order ${order.id}: no booking`);
    if (order.status === 'cancelled' && booked.length > 0)
      find('unexpected states', `cancelled order ${order.id} still booked (${cause})`);
    const rows = shipments.filter((s) => s.order_id === order.id);
    if (rows.some((s) => s.status === 'pending')) find('unexpected states', `order ${order.id}: shipment still pending`);
  }

  // notifications: none pending; each sent mail received once; one confirmation per order by email and push
  const notifications = await k('notifications.notifications').select('id', 'channel', 'status', 'kind', 'source');
  for (const n of notifications) {
    if (n.status === 'pending') find('lost', `notification ${n.id} (${n.kind}, ${n.channel}) still pending`);
    if (n.channel === 'email' && n.status === 'sent') {
      const received = mails.get(`<${n.id}@shopflow>`) ?? 0;
      if (received === 0) find('lost', `email ${n.id} marked sent, never received`);
      if (received > 1) find('duplicated effects', `email ${n.id} received ${received} times`);
    }
  }
  for (const [id, received] of mails) {
    if (received > 1 && !notifications.some((n) => `<${n.id}@shopflow>` === id))
      find('duplicated effects', `mail ${id} x${received}`);
  }
  const confirmations = groupBy(
    notifications.filter((n) => n.kind === 'order_created'),
    (n) => n.channel,
  );
  for (const channel of ['email', 'push']) {
    const n = confirmations.get(channel)?.length ?? 0;
    if (n !== orders.length) find('lost', `${orders.length} orders, ${n} order_created notifications by ${channel}`);
  }

  // I4: every committed event published, and processed by each consumer or in the dead-letter store
  const unpublished = await k('messaging.outbox').whereNull('published_at').count<{ n: string }[]>('* as n');
  if (Number(unpublished[0].n) > 0) find('I4', `${unpublished[0].n} committed events never published`);
  const [unconsumed, bindings] = unconsumedEvents('any');
  const unprocessed = await k.raw(`select s.consumer, o.id, o.topic from ${unconsumed}`, bindings);
  for (const row of unprocessed.rows) find('I4', `${row.topic} ${row.id} never reached ${row.consumer}`);
  const stranded = await k.raw(
    `select d.consumer, d.event_id, d.reason from messaging.dead_letters d
      where d.event_id is not null and d.reason in ('max_attempts', 'permanent')
        and not exists (select 1 from messaging.processed_messages p where p.consumer = d.consumer and p.event_id = d.event_id)`,
  );
  for (const row of stranded.rows)
    find('unexpected states', `${row.event_id} left in the dead-letter store of ${row.consumer} (${row.reason})`);

  // I5: no poison message was ever taken for a good one (claimed as processed) or delivered again and again (a loop); that none blocked its subscription is I4 above (every later event reached every consumer). A poison
  // message the broker dropped before any delivery (the emulator gives up on a failing backlog) cannot be recorded
  // by the product: it is counted apart, as the broker's, in `poisonUndelivered`.
  const letters = await k('messaging.dead_letters')
    .whereIn(
      'message_id',
      injected.poison.map((p) => p.messageId),
    )
    .orWhereIn(
      'event_id',
      injected.poison.map((p) => p.eventId),
    )
    .select('consumer', 'message_id', 'event_id', 'created_at', 'last_seen_at');
  const claimed = await k('messaging.processed_messages').whereIn(
    'event_id',
    injected.poison.map((p) => p.eventId),
  );
  for (const c of claimed) find('I5', `poison ${c.event_id} was processed by ${c.consumer} as a good event`);
  for (const l of letters) {
    // every delivery attempt of a subscription (5, backoff ≤ 30 s) is over within minutes: seen later, it loops
    const seenFor = l.last_seen_at.getTime() - l.created_at.getTime();
    if (seenFor > LOOP_AFTER_MS)
      find('I5', `poison ${l.event_id} delivered to ${l.consumer} again ${seenFor} ms after the first time`);
  }
  let poisonUndelivered = 0;
  for (const p of injected.poison) {
    for (const sub of pushSubscriptions().filter((s) => s.deadLetterTopic && s.topic === p.topic)) {
      if (!letters.some((l) => l.consumer === sub.name && (l.message_id === p.messageId || l.event_id === p.eventId))) {
        poisonUndelivered++;
      }
    }
  }
  outcomes['poison dead-lettered (per subscription)'] = letters.length;
  outcomes['poison the broker never delivered (per subscription)'] = poisonUndelivered;

  // the customers' own view: their orders, as the API lists them, are the database's
  for (const customer of customers) {
    const listed = await customerOrders(customer);
    const own = orders.filter((o) => o.customer_id === customer);
    if (!listed) {
      find('unexpected states', `customer ${customer}: GET /orders did not answer`);
      continue;
    }
    for (const o of own) {
      const seen = listed.find((l) => l.id === o.id);
      if (!seen) find('lost', `customer ${customer} does not see order ${o.id}`);
      else if (seen.status !== o.status) find('unexpected states', `customer sees ${o.id} ${seen.status}, database ${o.status}`);
    }
    if (listed.length !== own.length)
      find('unexpected states', `customer ${customer} sees ${listed.length} orders, has ${own.length}`);
    const accepted = new Set(record.converts.filter((c) => c.customer === customer).map((c) => c.cartId));
    for (const o of listed) if (!accepted.has(o.cart_id)) find('unexpected states', `order ${o.id} for a cart never converted`);
  }
  return { findings, outcomes };
}

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}
