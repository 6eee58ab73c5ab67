import { z } from 'zod';
import { amount, defineContract, timestamp } from '../../shared/http/contract';
import { addBody, convertBody, setBody, skuParam } from './api';

const cartView = z.object({
  cart: z
    .looseObject({
      id: z.uuid(),
      customer_id: z.uuid(),
      status: z.enum(['active', 'processing', 'stock-unavailable', 'ordered']),
      cart_locked: z.boolean(),
      order_id: z.uuid().nullable(),
      rejection: z.unknown().describe('the stock.rejected details the customer can fix, or null'),
      created_at: timestamp,
      updated_at: timestamp,
    })
    .nullable()
    .describe('the open cart, or null when there is none'),
  items: z.array(z.object({ product_sku: z.string(), quantity: z.number().int().min(1), unit_price: amount })),
});
const example = {
  cart: {
    id: '1f6f0b8c-2a49-4c1e-8d7e-5b8f3c2d1a00',
    customer_id: '550e8400-e29b-41d4-a716-446655440000',
    status: 'active',
    cart_locked: false,
    order_id: null,
    rejection: null,
    created_at: '2026-12-01T14:09:30.709Z',
    updated_at: '2026-12-01T14:09:30.709Z',
  },
  items: [{ product_sku: 'CABLE-001', quantity: 2, unit_price: 9.99 }],
};
const view = { status: 200, description: "the caller's open cart", schema: cartView, example };

export const cartContract = defineContract({
  service: 'cart',
  description:
    "The caller's open cart (a customer identity is required). Converting it publishes order-requested; the order, or stock.rejected, follows by events.",
  routes: [
    { method: 'get', path: '/cart', summary: 'The open cart and its items', access: 'customer', ok: view },
    {
      method: 'post',
      path: '/cart/items',
      summary: 'Add units of a product (opens a cart if there is none)',
      access: 'customer',
      body: addBody,
      rateLimited: true,
      ok: view,
      errors: [409],
    },
    {
      method: 'put',
      path: '/cart/items/:product_sku',
      summary: "Set a line's quantity (0 removes the line)",
      access: 'customer',
      params: skuParam,
      body: setBody,
      rateLimited: true,
      ok: view,
      errors: [409],
    },
    {
      method: 'delete',
      path: '/cart/items/:product_sku',
      summary: 'Remove a line',
      access: 'customer',
      params: skuParam,
      rateLimited: true,
      ok: view,
      errors: [409],
    },
    {
      method: 'delete',
      path: '/cart',
      summary: 'Empty the open cart',
      access: 'customer',
      rateLimited: true,
      ok: view,
      errors: [404, 409],
    },
    {
      method: 'post',
      path: '/cart/convert-to-order',
      summary: 'Lock the cart and request an order (publishes order-requested)',
      access: 'customer',
      body: convertBody,
      idempotencyKey: true,
      rateLimited: true,
      ok: {
        status: 202,
        description: 'accepted: the order, or stock.rejected, follows by events',
        schema: z.object({ cart_id: z.uuid(), status: z.literal('processing') }),
        example: { cart_id: '1f6f0b8c-2a49-4c1e-8d7e-5b8f3c2d1a00', status: 'processing' },
      },
      errors: [409],
    },
  ],
});
