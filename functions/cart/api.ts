import type { Knex } from 'knex';
import { z } from 'zod';
import { db } from '../../shared/db';
import { badRequest, conflict, notFound } from '../../shared/errors';
import { quantity, sku } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireCustomer } from '../../shared/http/identity';
import { idempotencyKey, idempotent, sendAnswer } from '../../shared/http/idempotency';
import { inTransaction } from '../../shared/messaging/outbox';
import { fromCents } from '../../shared/money';
import { checkoutProblem, limitProblem, MAX_UNITS_PER_SKU } from './domain';
import {
  addItem,
  liveSkus,
  cartItems,
  findProduct,
  openCart,
  openOrCreateCart,
  removeItem,
  updateCart,
  type Cart,
} from './store';

const addBody = z.object({ product_sku: sku, quantity }).strict();
const skuParam = z.object({ product_sku: sku });

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

export const cartApi = httpApi('cart', (r) => {
  r.get('/cart', async (req, res) => {
    const customerId = requireCustomer(req.caller);
    res.json(await cartView(db(), await openCart(db(), customerId)));
  });

  r.post('/cart/items', async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const input = parse(addBody, req.body);
    const view = await inTransaction('cart', async ({ tx }) => {
      const product = await findProduct(tx, input.product_sku);
      if (!product) throw badRequest('unknown_product', `product ${input.product_sku} does not exist`);
      const cart = await openOrCreateCart(tx, customerId);
      assertEditable(cart);
      const added = await addItem(tx, cart.id, { ...input, unit_price: fromCents(product.price_cents) }, MAX_UNITS_PER_SKU);
      if (!added) throw badRequest('quantity_limit', `at most ${MAX_UNITS_PER_SKU} units of one product per cart`);
      const problem = limitProblem(await cartItems(tx, cart.id));
      if (problem) throw badRequest(problem.code, problem.message);
      await reactivate(tx, cart);
      return cartView(tx, await openCart(tx, customerId));
    });
    res.json(view);
  });

  r.delete('/cart/items/:product_sku', async (req, res) => {
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

  r.post('/cart/convert-to-order', async (req, res) => {
    const customerId = requireCustomer(req.caller);
    const target = { scope: `cart.convert:${customerId}`, key: idempotencyKey(req), request: {} };
    const answer = await idempotent('cart', target, async ({ tx, emit }) => {
      const cart = await openCart(tx, customerId, true);
      if (!cart) throw badRequest('cart_empty', 'there is no cart to convert');
      assertEditable(cart);
      const items = await cartItems(tx, cart.id);
      if (items.length === 0) throw badRequest('cart_empty', 'the cart has no items');
      const problem = checkoutProblem(items, await liveSkus(tx, cart.id));
      if (problem) throw badRequest(problem.code, problem.message, 'details' in problem ? problem.details : undefined);
      await updateCart(tx, cart.id, { status: 'processing', cart_locked: true, rejection: null });
      await emit('order-requested', { cart_id: cart.id, customer_id: customerId, items }, { correlationId: cart.id });
      return { status: 202, body: { cart_id: cart.id, status: 'processing' } };
    });
    sendAnswer(res, answer);
  });
});
