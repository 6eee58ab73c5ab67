import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { paginate, type Page } from '../../shared/http/pagination';
import type { Requested } from './domain';

const STOCK = 'inventory.stock';
const RESERVATIONS = 'inventory.reservations';
const RESERVATION_ITEMS = 'inventory.reservation_items';

export interface Stock {
  product_sku: string;
  quantity: number;
  reserved: number;
  sold: number;
  updated_at: Date;
}

const columns = ['product_sku', 'available as quantity', 'reserved', 'sold', 'updated_at'];

export const findStock = (knex: Knex, sku: string): Promise<Stock | undefined> =>
  knex(STOCK).where({ product_sku: sku }).first(columns);

export async function listStock(knex: Knex, page: { limit: number; cursor?: string }): Promise<Page<Stock>> {
  return paginate<Stock & Record<string, unknown>>(knex(STOCK).select(columns), ['product_sku'], page);
}

/** Creates a stock record; undefined if the SKU already has one. */
export async function insertStock(knex: Knex, sku: string, quantity: number): Promise<Stock | undefined> {
  const [row] = await knex(STOCK)
    .insert({ product_sku: sku, available: quantity })
    .onConflict('product_sku')
    .ignore()
    .returning(columns);
  return row;
}

/** An explicit inventory edit: sets the available quantity (reserved units stay reserved). */
export async function setAvailable(knex: Knex, sku: string, quantity: number): Promise<Stock | undefined> {
  const [row] = await knex(STOCK)
    .where({ product_sku: sku })
    .update({ available: quantity, updated_at: knex.fn.now() })
    .returning(columns);
  return row;
}

export type DeleteOutcome = 'deleted' | 'missing' | 'reserved';

export async function deleteStock(knex: Knex, sku: string): Promise<DeleteOutcome> {
  const deleted = await knex(STOCK).where({ product_sku: sku, reserved: 0 }).delete();
  if (deleted > 0) return 'deleted';
  return (await findStock(knex, sku)) ? 'reserved' : 'missing';
}

export const hasReservation = async (knex: Knex, cartId: string): Promise<boolean> =>
  (await knex(RESERVATIONS).where({ cart_id: cartId }).first('id')) !== undefined;

/**
 * Moves every line from available to reserved with guarded updates (`available >= quantity`),
 * in SKU order, inside a savepoint: either all lines are reserved and recorded, or none are
 * (returns undefined and the savepoint is rolled back).
 */
export async function reserve(
  tx: Knex.Transaction,
  reservation: { cartId: string; customerId: string; lines: Requested[] },
): Promise<string | undefined> {
  const id = randomUUID();
  try {
    await tx.transaction(async (sp) => {
      for (const line of reservation.lines) {
        const updated = await sp(STOCK)
          .where({ product_sku: line.product_sku })
          .andWhere('available', '>=', line.quantity)
          .update({
            available: sp.raw('available - ?', [line.quantity]),
            reserved: sp.raw('reserved + ?', [line.quantity]),
            updated_at: sp.fn.now(),
          });
        if (updated === 0) throw new NotEnoughStock();
      }
      await sp(RESERVATIONS).insert({ id, cart_id: reservation.cartId, customer_id: reservation.customerId, status: 'reserved' });
      await sp(RESERVATION_ITEMS).insert(reservation.lines.map((l) => ({ reservation_id: id, ...l })));
    });
    return id;
  } catch (error) {
    if (error instanceof NotEnoughStock) return undefined;
    throw error;
  }
}

class NotEnoughStock extends Error {}

export async function availableNow(knex: Knex, skus: string[]): Promise<Map<string, number | undefined>> {
  const rows: { product_sku: string; available: number }[] = await knex(STOCK)
    .whereIn('product_sku', skus)
    .select('product_sku', 'available');
  const found = new Map(rows.map((r) => [r.product_sku, r.available]));
  return new Map(skus.map((sku) => [sku, found.get(sku)]));
}

/**
 * Returns a cart's units to available stock, exactly once, from whatever stage the order reached:
 * reserved units (cancelled before shipping) or sold ones (cancelled while its shipment was being
 * booked). The status guard makes a second release (duplicate or out-of-order event) a no-op.
 * Returns whether anything was released.
 */
export async function release(tx: Knex.Transaction, cartId: string, orderId: string): Promise<boolean> {
  const [reservation] = await tx(RESERVATIONS)
    .where({ cart_id: cartId })
    .whereIn('status', ['reserved', 'sold'])
    .forUpdate()
    .select('id', 'status');
  if (!reservation) return false;
  await tx(RESERVATIONS)
    .where({ id: reservation.id })
    .update({ status: 'released', order_id: orderId, released_at: tx.fn.now() });
  const from = reservation.status === 'sold' ? 'sold' : 'reserved';
  await moveUnits(tx, reservation.id, from, 'available');
  return true;
}

/** The order shipped: its reserved units become sold, once (a released or sold reservation is left alone). */
export async function sell(tx: Knex.Transaction, cartId: string, orderId: string): Promise<boolean> {
  const [reservation] = await tx(RESERVATIONS)
    .where({ cart_id: cartId, status: 'reserved' })
    .update({ status: 'sold', order_id: orderId, sold_at: tx.fn.now() })
    .returning('id');
  if (!reservation) return false;
  await moveUnits(tx, reservation.id, 'reserved', 'sold');
  return true;
}

type Bucket = 'available' | 'reserved' | 'sold';

/** Moves a reservation's units between two stock columns, SKU by SKU in SKU order (the same lock order as reserving). */
async function moveUnits(tx: Knex.Transaction, reservationId: string, from: Bucket, to: Bucket): Promise<void> {
  const items: Requested[] = await tx(RESERVATION_ITEMS).where({ reservation_id: reservationId }).orderBy('product_sku');
  for (const item of items) {
    await tx(STOCK)
      .where({ product_sku: item.product_sku })
      .update({
        [from]: tx.raw('?? - ?', [from, item.quantity]),
        [to]: tx.raw('?? + ?', [to, item.quantity]),
        updated_at: tx.fn.now(),
      });
  }
}
