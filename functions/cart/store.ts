import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { EventPayload } from '../../shared/events/catalog';
import type { LineItem } from '../../shared/events/fields';
import { PG, pgCode, run, statement } from '../../shared/db';
import { fromCents, toCents } from '../../shared/money';

const CARTS = 'cart.carts';
const ITEMS = 'cart.items';
const PRODUCTS = 'cart.products';

export type CartStatus = 'active' | 'processing' | 'stock-unavailable' | 'ordered';

export interface Cart {
  id: string;
  customer_id: string;
  status: CartStatus;
  cart_locked: boolean;
  order_id: string | null;
  rejection: unknown;
  created_at: Date;
  updated_at: Date;
}

// the requests every shopper makes (view the cart, add to it) run as named statements (shared/db.ts)
const OPEN_CART = `select id, customer_id, status, cart_locked, order_id, rejection, created_at, updated_at
  from ${CARTS} where customer_id = $1 and status <> 'ordered' limit 1`;
const openCartStatements = {
  read: statement('cart.open-cart', OPEN_CART),
  lock: statement('cart.open-cart-locked', `${OPEN_CART} for update`),
};

/** The caller's open cart (any status but `ordered`), optionally locked for this transaction. */
export async function openCart(knex: Knex, customerId: string, lock = false): Promise<Cart | undefined> {
  const [cart] = await run<Cart>(knex, lock ? openCartStatements.lock : openCartStatements.read, [customerId]);
  return cart;
}

/** The caller's open cart, created if there is none (a concurrent creation is resolved by the unique index). */
export async function openOrCreateCart(tx: Knex.Transaction, customerId: string): Promise<Cart> {
  const existing = await openCart(tx, customerId, true);
  if (existing) return existing;
  try {
    await tx.transaction(async (sp) => {
      await sp(CARTS).insert({ id: randomUUID(), customer_id: customerId, status: 'active' });
    });
  } catch (error) {
    if (pgCode(error) !== PG.uniqueViolation) throw error;
  }
  return (await openCart(tx, customerId, true))!;
}

const ITEMS_OF = statement(
  'cart.items',
  `select product_sku, quantity, unit_price_cents from ${ITEMS} where cart_id = $1 order by added_at, product_sku`,
);

export async function cartItems(knex: Knex, cartId: string): Promise<LineItem[]> {
  const rows = await run<{ product_sku: string; quantity: number; unit_price_cents: string }>(knex, ITEMS_OF, [cartId]);
  return rows.map((r) => ({ product_sku: r.product_sku, quantity: r.quantity, unit_price: fromCents(r.unit_price_cents) }));
}

// a repeated SKU adds up, within the limit ($5: the most a line may hold before this addition)
const ADD_ITEM = statement(
  'cart.add-item',
  `insert into ${ITEMS} (cart_id, product_sku, quantity, unit_price_cents) values ($1, $2, $3, $4)
   on conflict (cart_id, product_sku) do update
   set quantity = cart.items.quantity + excluded.quantity, unit_price_cents = excluded.unit_price_cents
   where cart.items.quantity <= $5 returning quantity`,
);

/** Adds units of a product (a repeated SKU adds up), refreshing the price snapshot; false if the total would exceed the limit. */
export async function addItem(tx: Knex.Transaction, cartId: string, item: LineItem, maxQuantity: number): Promise<boolean> {
  const rows = await run(tx, ADD_ITEM, [
    cartId,
    item.product_sku,
    item.quantity,
    toCents(item.unit_price),
    maxQuantity - item.quantity,
  ]);
  return rows.length > 0;
}

/** Sets a line's quantity (adding the line if it is new), refreshing the price snapshot. */
export async function setItem(tx: Knex.Transaction, cartId: string, item: LineItem): Promise<void> {
  await tx(ITEMS)
    .insert({
      cart_id: cartId,
      product_sku: item.product_sku,
      quantity: item.quantity,
      unit_price_cents: toCents(item.unit_price),
    })
    .onConflict(['cart_id', 'product_sku'])
    .merge(['quantity', 'unit_price_cents']);
}

export const clearItems = async (tx: Knex.Transaction, cartId: string): Promise<number> =>
  tx(ITEMS).where({ cart_id: cartId }).delete();

export const removeItem = async (tx: Knex.Transaction, cartId: string, sku: string): Promise<boolean> =>
  (await tx(ITEMS).where({ cart_id: cartId, product_sku: sku }).delete()) > 0;

export async function updateCart(
  knex: Knex,
  cartId: string,
  changes: Partial<Pick<Cart, 'status' | 'cart_locked' | 'order_id'>> & { rejection?: unknown },
): Promise<void> {
  const { rejection, ...rest } = changes;
  const values = {
    ...rest,
    ...(rejection === undefined ? {} : { rejection: rejection === null ? null : JSON.stringify(rejection) }),
  };
  await knex(CARTS)
    .where({ id: cartId })
    .update({ ...values, updated_at: knex.fn.now() });
}

/** The customer's orders not yet paid or cancelled (carts that became orders, as far as the cart has heard). */
export async function openOrderCount(knex: Knex, customerId: string): Promise<number> {
  const [{ n }] = await knex(CARTS)
    .where({ customer_id: customerId, status: 'ordered', order_settled: false })
    .count<{ n: string }[]>('* as n');
  return Number(n);
}

/** The order a cart became was paid or cancelled; recorded even if order.created has not reached the cart yet. */
export async function settleOrder(knex: Knex, cartId: string): Promise<void> {
  await knex(CARTS).where({ id: cartId }).update({ order_settled: true, updated_at: knex.fn.now() });
}

export const findCart = (knex: Knex, cartId: string, lock = false): Promise<Cart | undefined> => {
  const query = knex(CARTS).where({ id: cartId }).first();
  return lock ? query.forUpdate() : query;
};

// --- product projection -------------------------------------------------------------------

export interface ProjectedProduct {
  sku: string;
  name: string;
  price_cents: string;
}

const FIND_PRODUCT = statement(
  'cart.find-product',
  `select sku, name, price_cents from ${PRODUCTS} where sku = $1 and not deleted`,
);

export const findProduct = async (knex: Knex, sku: string): Promise<ProjectedProduct | undefined> =>
  (await run<ProjectedProduct>(knex, FIND_PRODUCT, [sku]))[0];

/** The cart's SKUs that are still sold (live in the product projection). */
export async function liveSkus(knex: Knex, cartId: string): Promise<Set<string>> {
  const rows: { sku: string }[] = await knex(`${ITEMS} as i`)
    .join(`${PRODUCTS} as p`, 'p.sku', 'i.product_sku')
    .where({ 'i.cart_id': cartId, 'p.deleted': false })
    .select('p.sku');
  return new Set(rows.map((r) => r.sku));
}

/** Applies a product event only if it is newer than what the projection holds (order-independent). */
export async function applyProduct(
  tx: Knex.Transaction,
  event: EventPayload<'product.created'> | EventPayload<'product.deleted'>,
): Promise<void> {
  const values =
    'name' in event
      ? { sku: event.sku, name: event.name, price_cents: toCents(event.price), version: event.version, deleted: false }
      : { sku: event.sku, name: '', price_cents: 0, version: event.version, deleted: true };
  const update = 'name' in event ? values : { version: event.version, deleted: true };
  await tx(PRODUCTS).insert(values).onConflict('sku').merge(update).where('cart.products.version', '<', event.version);
}
