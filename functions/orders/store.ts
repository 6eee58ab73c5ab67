import type { Knex } from 'knex';
import type { LineItem, ShippingAddress } from '../../shared/events/fields';
import { paginate, type Page } from '../../shared/http/pagination';
import { fromCents, toCents } from '../../shared/money';
import type { OrderStatus } from './domain';

const ORDERS = 'orders.orders';
const ITEMS = 'orders.order_items';
const HISTORY = 'orders.status_history';

interface OrderRow {
  id: string;
  cart_id: string;
  customer_id: string;
  reservation_id: string;
  status: OrderStatus;
  total_cents: string;
  cancel_reason: string | null;
  notes: string | null;
  shipping_address: unknown;
  created_at: Date;
  updated_at: Date;
}

export interface Order extends Omit<OrderRow, 'total_cents'> {
  total: number;
  items: LineItem[];
}

/** What caused a step: an event (with its producing service and trace) or a request. */
export interface Cause {
  eventId?: string;
  eventType?: string;
  request?: string;
  service?: string;
  traceId?: string;
}

async function withItems(knex: Knex, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const items = await knex(ITEMS)
    .whereIn(
      'order_id',
      rows.map((r) => r.id),
    )
    .orderBy('product_sku');
  return rows.map(({ total_cents, ...row }) => ({
    ...row,
    total: fromCents(total_cents),
    items: items
      .filter((i) => i.order_id === row.id)
      .map((i) => ({ product_sku: i.product_sku, quantity: i.quantity, unit_price: fromCents(i.unit_price_cents) })),
  }));
}

export async function findOrder(knex: Knex, id: string, customerId?: string): Promise<Order | undefined> {
  const row = await knex(ORDERS)
    .where({ id, ...(customerId ? { customer_id: customerId } : {}) })
    .first();
  return row ? (await withItems(knex, [row]))[0] : undefined;
}

export interface OrderFilter {
  customer_id?: string;
  cart_id?: string;
  status?: OrderStatus;
}

export async function listOrders(
  knex: Knex,
  filter: OrderFilter,
  page: { limit: number; cursor?: string },
): Promise<Page<Order>> {
  const query = knex(ORDERS).select('*');
  for (const [column, value] of Object.entries(filter)) if (value !== undefined) query.where(column, value);
  const result = await paginate<OrderRow & Record<string, unknown>>(query, ['created_at', 'id'], page);
  return { ...result, data: await withItems(knex, result.data) };
}

/** Inserts the order for a cart; undefined when the cart already has one (the database decides). */
export async function insertOrder(
  tx: Knex.Transaction,
  order: {
    id: string;
    cartId: string;
    customerId: string;
    reservationId: string;
    items: LineItem[];
    totalCents: number;
    shippingAddress: ShippingAddress | null;
  },
): Promise<boolean> {
  const inserted = await tx(ORDERS)
    .insert({
      id: order.id,
      cart_id: order.cartId,
      customer_id: order.customerId,
      reservation_id: order.reservationId,
      status: 'confirmed',
      total_cents: order.totalCents,
      shipping_address: order.shippingAddress === null ? null : JSON.stringify(order.shippingAddress),
    })
    .onConflict('cart_id')
    .ignore()
    .returning('id');
  if (inserted.length === 0) return false;
  await tx(ITEMS).insert(
    order.items.map((i) => ({
      order_id: order.id,
      product_sku: i.product_sku,
      quantity: i.quantity,
      unit_price_cents: toCents(i.unit_price),
    })),
  );
  return true;
}

/** Reads an order and locks it for the rest of the transaction (concurrent changes queue behind). */
export async function lockOrder(tx: Knex.Transaction, id: string, customerId?: string): Promise<Order | undefined> {
  const row = await tx(ORDERS)
    .where({ id, ...(customerId ? { customer_id: customerId } : {}) })
    .forUpdate()
    .first();
  return row ? (await withItems(tx, [row]))[0] : undefined;
}

export async function setStatus(tx: Knex.Transaction, id: string, status: OrderStatus, cancelReason?: string): Promise<void> {
  await tx(ORDERS)
    .where({ id })
    .update({ status, updated_at: tx.fn.now(), ...(cancelReason === undefined ? {} : { cancel_reason: cancelReason }) });
}

export async function recordTransition(
  tx: Knex.Transaction,
  entry: { orderId: string; from: OrderStatus | null; to: OrderStatus; reason?: string; cause: Cause; emittedEventId?: string },
): Promise<void> {
  await tx(HISTORY).insert({
    order_id: entry.orderId,
    from_status: entry.from,
    to_status: entry.to,
    reason: entry.reason ?? null,
    caused_by_event_id: entry.cause.eventId ?? null,
    caused_by_event_type: entry.cause.eventType ?? null,
    caused_by_request: entry.cause.request ?? null,
    caused_by_service: entry.cause.service ?? null,
    trace_id: entry.cause.traceId ?? null,
    emitted_event_id: entry.emittedEventId ?? null,
  });
}

export const history = (knex: Knex, orderId: string) =>
  knex(HISTORY)
    .where({ order_id: orderId })
    .orderBy('id')
    .select(
      'from_status',
      'to_status',
      'reason',
      'caused_by_event_id',
      'caused_by_event_type',
      'caused_by_request',
      'caused_by_service',
      'trace_id',
      'emitted_event_id',
      'at',
    );

/** Changes notes / shipping address while the order is editable; the new version, or undefined when it is not editable. */
export async function updateDetails(
  knex: Knex,
  id: string,
  editableFrom: readonly OrderStatus[],
  changes: { notes?: string | null; shipping_address?: unknown },
): Promise<{ version: number; customer_id: string; shipping_address: ShippingAddress | null } | undefined> {
  const values = {
    ...(changes.notes === undefined ? {} : { notes: changes.notes }),
    ...(changes.shipping_address === undefined ? {} : { shipping_address: JSON.stringify(changes.shipping_address) }),
  };
  const [updated] = await knex(ORDERS)
    .where({ id })
    .whereIn('status', editableFrom)
    .update({ ...values, version: knex.raw('version + 1'), updated_at: knex.fn.now() })
    .returning(['version', 'customer_id', 'shipping_address']);
  return updated;
}

/** Confirmed orders created before `before` (waiting for a payment outcome), oldest first. */
export const awaitingPaymentSince = (knex: Knex, before: Date, limit: number): Promise<string[]> =>
  knex(ORDERS).where({ status: 'confirmed' }).where('created_at', '<', before).orderBy('created_at').limit(limit).pluck('id');

/** The order locked if nobody else holds it (a job skips rows a consumer is working on). */
export async function lockOrderIfFree(tx: Knex.Transaction, id: string): Promise<Order | undefined> {
  const row = await tx(ORDERS).where({ id }).forUpdate().skipLocked().first();
  return row ? (await withItems(tx, [row]))[0] : undefined;
}

/** Whether a step of the order's history was caused by an event of this type (each saga event happens once per order). */
export const hasStepFrom = async (knex: Knex, orderId: string, eventType: string): Promise<boolean> =>
  (await knex(HISTORY).where({ order_id: orderId, caused_by_event_type: eventType }).first('id')) !== undefined;

/** Whether the order's history holds a step into `status` (whatever caused it). */
export const hasReached = async (knex: Knex, orderId: string, status: OrderStatus): Promise<boolean> =>
  (await knex(HISTORY).where({ order_id: orderId, to_status: status }).first('id')) !== undefined;
