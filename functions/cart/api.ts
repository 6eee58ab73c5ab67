import type { Knex } from 'knex';
import { z } from 'zod';
import { db } from '../../shared/db';
import { badRequest, conflict, notFound } from '../../shared/errors';
import { quantity, shippingAddress, sku } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireCustomer } from '../../shared/http/identity';
import { idempotencyKey, idempotent, sendAnswer } from '../../shared/http/idempotency';
import { perCustomer, rateLimit } from '../../shared/http/rate-limit';
import { inTransaction } from '../../shared/messaging/outbox';
import { fromCents } from '../../shared/money';
import { checkoutProblem, limitProblem, MAX_UNITS_PER_SKU, openOrdersProblem, type Limits } from './domain';
import { cartSettings } from './settings';
import {
  addItem,
  clearItems,
  liveSkus,
  cartItems,
  findProduct,
  openCart,
  openOrCreateCart,
  openOrderCount,
  removeItem,
  setItem,
  updateCart,
  type Cart,
} from './store';

export const addBody = z.object({ product_sku: sku, quantity }).strict();
export const setBody = z.object({ quantity: z.number().int().min(0).max(MAX_UNITS_PER_SKU) }).strict();
/** The only thing a convert may carry: where the order goes (it reaches shipments with order.created). */
export const convertBody = z.object({ shipping_address: shippingAddress.optional() }).strict().optional();
export const skuParam = z.object({ product_sku: sku });

async function cartView(knex: Knex, cart: Cart | undefined) {
  if (!cart) return { cart: null, items: [] };
  const { id, customer_id, status, cart_locked, order_id, rejection, created_at, updated_at } = cart;
  return {
    cart: { id, customer_id, status, cart_locked, order_id, rejection, created_at, updated_at },
    items: await cartItems(knex, id),
  };
}

/** Items can change only while the cart is unlocked. */
function assertEditable(cart: Cart): void {
  if (cart.cart_locked) throw conflict('cart_locked', 'the cart is being turned into an order and cannot change');
}

/** Changing a rejected cart makes it active again; the rejection it answered is cleared. */
async function reactivate(tx: Knex.Transaction, cart: Cart): Promise<void> {
  if (cart.status !== 'active' || cart.rejection !== null) await updateCart(tx, cart.id, { status: 'active', rejection: null });
}

/** After a change: the cart must still be able to become an order (lines, units, total), else the change is refused. */
async function assertWithinLimits(tx: Knex.Transaction, cartId: string, limits: Limits): Promise<void> {
  const problem = limitProblem(await cartItems(tx, cartId), limits);
  if (problem) throw badRequest(problem.code, problem.message);
}

/** A product the catalog still sells, as a line at its current price. */
async function pricedLine(tx: Knex.Transaction, product_sku: string, units: number) {
  const product = await findProduct(tx, product_sku);
  if (!product) throw badRequest('unknown_product', `product ${product_sku} does not exist`);
  return { product_sku, quantity: units, unit_price: fromCents(product.price_cents) };
}

export const cartApi = httpApi('cart', (r) => {
  const settings = cartSettings();
  const limits: Limits = { maxUnitsPerOrder: settings.CART_MAX_UNITS_PER_ORDER };
  const minute = 60_000;
  const writes = rateLimit({ name: 'cart changes', limit: settings.CART_WRITES_PER_MINUTE, windowMs: minute, key: perCustomer });
  const converts = rateLimit({
    name: 'order attempts',
    limit: settings.CART_CONVERTS_PER_MINUTE,
    windowMs: minute,
    key: perCustomer,
  });

  r.get('/cart', async (req, res) => {
    const customerId = requireCustomer(req.caller);
    res.json(await cartView(db(), await openCart(db(), customerId)));
  });

  r.post('/cart/items', writes, async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const input = parse(addBody, req.body);
    const view = await inTransaction('cart', async ({ tx }) => {
      const line = await pricedLine(tx, input.product_sku, input.quantity);
      const cart = await openOrCreateCart(tx, customerId);
      assertEditable(cart);
      const added = await addItem(tx, cart.id, line, MAX_UNITS_PER_SKU);
      if (!added) throw badRequest('quantity_limit', `at most ${MAX_UNITS_PER_SKU} units of one product per cart`);
      await assertWithinLimits(tx, cart.id, limits);
      await reactivate(tx, cart);
      return cartView(tx, await openCart(tx, customerId));
    });
    res.json(view);
  });

  /** Sets a line's quantity (a new SKU is added at the current price; 0 removes the line). */
  r.put('/cart/items/:product_sku', writes, async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const { product_sku } = parse(skuParam, req.params);
    const { quantity: units } = parse(setBody, req.body);
    const view = await inTransaction('cart', async ({ tx }) => {
      if (units === 0) {
        const cart = await openCart(tx, customerId, true);
        if (!cart) throw notFound('cart');
        assertEditable(cart);
        if (!(await removeItem(tx, cart.id, product_sku))) throw notFound('cart item');
        await reactivate(tx, cart);
      } else {
        const line = await pricedLine(tx, product_sku, units);
        const cart = await openOrCreateCart(tx, customerId);
        assertEditable(cart);
        await setItem(tx, cart.id, line);
        await assertWithinLimits(tx, cart.id, limits);
        await reactivate(tx, cart);
      }
      return cartView(tx, await openCart(tx, customerId));
    });
    res.json(view);
  });

  r.delete('/cart/items/:product_sku', writes, async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const { product_sku } = parse(skuParam, req.params);
    const view = await inTransaction('cart', async ({ tx }) => {
      const cart = await openCart(tx, customerId, true);
      if (!cart) throw notFound('cart');
      assertEditable(cart);
      if (!(await removeItem(tx, cart.id, product_sku))) throw notFound('cart item');
      await reactivate(tx, cart);
      return cartView(tx, await openCart(tx, customerId));
    });
    res.json(view);
  });

  /** Empties the open cart (it stays open, with no items). */
  r.delete('/cart', writes, async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const view = await inTransaction('cart', async ({ tx }) => {
      const cart = await openCart(tx, customerId, true);
      if (!cart) throw notFound('cart');
      assertEditable(cart);
      await clearItems(tx, cart.id);
      await reactivate(tx, cart);
      return cartView(tx, await openCart(tx, customerId));
    });
    res.json(view);
  });

  r.post('/cart/convert-to-order', converts, async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const shipping_address = parse(convertBody, req.body)?.shipping_address;
    const target = { scope: `cart.convert:${customerId}`, key: idempotencyKey(req), request: { shipping_address } };
    const answer = await idempotent('cart', target, async ({ tx, emit }) => {
      const cart = await openCart(tx, customerId, true);
      if (!cart) throw badRequest('cart_empty', 'there is no cart to convert');
      assertEditable(cart);
      const items = await cartItems(tx, cart.id);
      if (items.length === 0) throw badRequest('cart_empty', 'the cart has no items');
      const problem = checkoutProblem(items, await liveSkus(tx, cart.id), limits);
      if (problem) throw badRequest(problem.code, problem.message, 'details' in problem ? problem.details : undefined);
      const tooMany = openOrdersProblem(await openOrderCount(tx, customerId), settings.CART_MAX_OPEN_ORDERS);
      if (tooMany) throw conflict('open_orders_limit', tooMany);
      await updateCart(tx, cart.id, { status: 'processing', cart_locked: true, rejection: null });
      const requested = { cart_id: cart.id, customer_id: customerId, items, ...(shipping_address ? { shipping_address } : {}) };
      await emit('order-requested', requested, { correlationId: cart.id });
      return { status: 202, body: { cart_id: cart.id, status: 'processing' } };
    });
    sendAnswer(res, answer);
  });
});
