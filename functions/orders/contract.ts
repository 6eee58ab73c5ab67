import { z } from 'zod';
import { amount, defineContract, page, timestamp } from '../../shared/http/contract';
import { shippingAddress } from '../../shared/events/fields';
import { cancelBody, idParam, listQuery, updateBody } from './api';
import { orderStatuses } from './domain';

const line = z.object({ product_sku: z.string(), quantity: z.number().int().min(1), unit_price: amount });
const order = z.looseObject({
  id: z.uuid(),
  cart_id: z.uuid(),
  customer_id: z.uuid(),
  status: z.enum(orderStatuses),
  total: amount,
  items: z.array(line),
  cancel_reason: z.string().nullable(),
  notes: z.string().nullable(),
  shipping_address: shippingAddress.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
const transition = z.looseObject({
  from_status: z.enum(orderStatuses).nullable(),
  to_status: z.enum(orderStatuses),
  reason: z.string().nullable(),
  caused_by_event_id: z.string().nullable(),
  caused_by_event_type: z.string().nullable(),
  caused_by_request: z.string().nullable(),
  at: timestamp,
});
const example = {
  id: '7d0f4a0e-3b8e-4c55-9a4f-0c6f1b2e9a10',
  cart_id: '1f6f0b8c-2a49-4c1e-8d7e-5b8f3c2d1a00',
  customer_id: '550e8400-e29b-41d4-a716-446655440000',
  status: 'confirmed',
  total: 19.98,
  items: [{ product_sku: 'CABLE-001', quantity: 2, unit_price: 9.99 }],
  cancel_reason: null,
  notes: null,
  shipping_address: null,
  created_at: '2026-12-01T14:09:30.709Z',
  updated_at: '2026-12-01T14:09:30.709Z',
};
const cancelled = { ...example, status: 'cancelled', cancel_reason: 'cancelled by request' };

export const ordersContract = defineContract({
  service: 'orders',
  description:
    'Orders, created from stock-available events. A customer sees only its own orders; cancelling publishes order.cancelled (the saga then releases stock and refunds).',
  routes: [
    {
      method: 'get',
      path: '/orders',
      summary: "List orders (a customer's own; an admin's all, filtered)",
      access: 'anyone',
      query: listQuery,
      ok: { status: 200, description: 'a page of orders', schema: page(order), example: { data: [example], next_cursor: null } },
    },
    {
      method: 'get',
      path: '/orders/:id',
      summary: 'One order',
      access: 'anyone',
      params: idParam,
      ok: { status: 200, description: 'the order', schema: order, example },
    },
    {
      method: 'get',
      path: '/orders/:id/history',
      summary: "The order's status transitions, each with what caused it",
      access: 'anyone',
      params: idParam,
      ok: {
        status: 200,
        description: 'oldest first',
        schema: z.object({ data: z.array(transition) }),
        example: {
          data: [
            {
              from_status: null,
              to_status: 'confirmed',
              reason: null,
              caused_by_event_id: '0b1e0c36-5a43-4b8f-9d7e-2f1a3c4d5e6f',
              caused_by_event_type: 'stock-available',
              caused_by_request: null,
              at: '2026-12-01T14:09:30.709Z',
            },
          ],
        },
      },
    },
    {
      method: 'post',
      path: '/orders/:id/cancel',
      summary: 'Cancel (publishes order.cancelled); 409 once shipped or cancelled',
      access: 'anyone',
      params: idParam,
      body: cancelBody,
      idempotencyKey: true,
      ok: { status: 200, description: 'the cancelled order', schema: order, example: cancelled },
      errors: [409],
    },
    {
      method: 'delete',
      path: '/orders/:id',
      summary: 'Cancel, as POST /orders/{id}/cancel without a reason',
      access: 'anyone',
      params: idParam,
      idempotencyKey: true,
      ok: { status: 200, description: 'the cancelled order', schema: order, example: cancelled },
      errors: [409],
    },
    {
      method: 'put',
      path: '/orders/:id',
      summary: 'Change notes or the shipping address (fields that cannot break the saga)',
      access: 'anyone',
      params: idParam,
      body: updateBody,
      ok: { status: 200, description: 'the changed order', schema: order, example },
      errors: [409],
    },
  ],
});
