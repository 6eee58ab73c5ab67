import type { Knex } from 'knex';
import { run, statement } from '../../shared/db';
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
  version: number;
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

interface ItemRow {
  product_sku: string;
  quantity: number;
  unit_price_cents: string;
}

/** An order as the API shows it: its columns (the re-drive bookkeeping stays inside) and its items. */
const ORDER_COLUMNS = [
  'id',
  'cart_id',
  'customer_id',
  'reservation_id',
  'status',
  'total_cents',
  'cancel_reason',
  'notes',
  'shipping_address',
  'version',
  'created_at',
  'updated_at',
];

const toOrder = ({ total_cents, ...row }: OrderRow, items: ItemRow[]): Order => ({
  ...row,
  total: fromCents(total_cents),
  items: items.map((i) => ({ product_sku: i.product_sku, quantity: i.quantity, unit_price: fromCents(i.unit_price_cents) })),
});

async function withItems(knex: Knex, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const items: (ItemRow & { order_id: string })[] = await knex(ITEMS)
    .whereIn(
      'order_id',
      rows.map((r) => r.id),
    )
    .orderBy('product_sku')
    .select('order_id', 'product_sku', 'quantity', 'unit_price_cents');
  const byOrder = new Map<string, ItemRow[]>();
  for (const item of items) {
    const list = byOrder.get(item.order_id);
    if (list) list.push(item);
    else byOrder.set(item.order_id, [item]);
  }
  return rows.map((row) => toOrder(row, byOrder.get(row.id) ?? []));
}

/**
 * One order with its items in one round trip, by id or by cart (a cart has at most one order), as its customer ($2) or
 * an admin ($2 null) may see it: what a client polls for after converting its cart.
 */
const oneOrder = (by: 'id' | 'cart_id') =>
  statement(
    `orders.order-by-${by.replace('_', '-')}`,
    `select ${ORDER_COLUMNS.map((c) => `o.${c}`).join(', ')},
            coalesce((select json_agg(json_build_object('product_sku', i.product_sku, 'quantity', i.quantity,
                                                        'unit_price_cents', i.unit_price_cents::text) order by i.product_sku)
                        from ${ITEMS} i where i.order_id = o.id), '[]') as items
       from ${ORDERS} o
      where o.${by} = $1 and ($2::uuid is null or o.customer_id = $2)`,
  );
const ORDER_BY_ID = oneOrder('id');
const ORDER_BY_CART = oneOrder('cart_id');

async function oneOrderBy(knex: Knex, by: 'id' | 'cart_id', value: string, customerId?: string): Promise<Order | undefined> {
  const [row] = await run<OrderRow & { items: ItemRow[] }>(knex, by === 'id' ? ORDER_BY_ID : ORDER_BY_CART, [
    value,
    customerId ?? null,
  ]);
  if (!row) return undefined;
  const { items, ...order } = row;
  return toOrder(order, items);
}

export const findOrder = (knex: Knex, id: string, customerId?: string): Promise<Order | undefined> =>
  oneOrderBy(knex, 'id', id, customerId);

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
  if (filter.cart_id !== undefined && page.cursor === undefined) {
    const order = await oneOrderBy(knex, 'cart_id', filter.cart_id, filter.customer_id);
    const matches = order !== undefined && (filter.status === undefined || order.status === filter.status);
    return { data: matches ? [order] : [], next_cursor: null };
  }
  const query = knex(ORDERS).select(ORDER_COLUMNS);
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
