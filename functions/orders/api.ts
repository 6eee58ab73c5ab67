import { z } from 'zod';
import { db } from '../../shared/db';
import { conflict, notFound } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { listScope, visibleCustomer, type Caller } from '../../shared/http/identity';
import { emptyPage, pageQuery } from '../../shared/http/pagination';
import { inTransaction } from '../../shared/messaging/outbox';
import { canTransition, editable, orderStatuses } from './domain';
import { findOrder, history, listOrders, lockOrder, recordTransition, setStatus, updateDetails } from './store';

const idParam = z.object({ id: uuid });
const listQuery = z
  .object({ ...pageQuery, customer_id: uuid.optional(), cart_id: uuid.optional(), status: z.enum(orderStatuses).optional() })
  .strict();
const cancelBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
const address = z
  .object({
    name: z.string().min(1).max(200),
    line1: z.string().min(1).max(200),
    line2: z.string().max(200).optional(),
    city: z.string().min(1).max(100),
    postal_code: z.string().min(1).max(20),
    country: z.string().length(2),
  })
  .strict();
const updateBody = z
  .object({ notes: z.string().max(2000).nullable().optional(), shipping_address: address.nullable().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one of notes, shipping_address is required');

const orderId = (params: unknown) => parse(idParam, params).id.toLowerCase();

/** Cancels an order the caller may see: one order.cancelled, ever (the row lock and the status machine decide). */
async function cancel(caller: Caller, id: string, reason: string, request: string) {
  return inTransaction('orders', async ({ tx, emit }) => {
    const order = await lockOrder(tx, id, visibleCustomer(caller));
    if (!order) throw notFound('order');
    if (!canTransition(order.status, 'cancelled')) {
      throw conflict('invalid_transition', `an order that is ${order.status} cannot be cancelled`, { status: order.status });
    }
    await setStatus(tx, id, 'cancelled', reason);
    const { id: order_id, cart_id, customer_id, items } = order;
    const previous_status = order.status as 'confirmed' | 'paid';
    const emitted = await emit(
      'order.cancelled',
      { order_id, cart_id, customer_id, items, reason, cause: 'requested', previous_status },
      { correlationId: order_id },
    );
    await recordTransition(tx, {
      orderId: id,
      from: order.status,
      to: 'cancelled',
      reason,
      cause: { request },
      emittedEventId: emitted,
    });
    return { ...order, status: 'cancelled' as const, cancel_reason: reason };
  });
}

export const ordersApi = httpApi('orders', (r) => {
  r.get('/orders', async (req, res) => {
    const { limit, cursor, ...filter } = parse(listQuery, req.query);
    const customer_id = listScope(req.caller, filter.customer_id);
    res.json(customer_id === null ? emptyPage : await listOrders(db(), { ...filter, customer_id }, { limit, cursor }));
  });

  r.get('/orders/:id', async (req, res) => {
    const order = await findOrder(db(), orderId(req.params), visibleCustomer(req.caller));
    if (!order) throw notFound('order');
    res.json(order);
  });

  r.get('/orders/:id/history', async (req, res) => {
    const id = orderId(req.params);
    if (!(await findOrder(db(), id, visibleCustomer(req.caller)))) throw notFound('order');
    res.json({ data: await history(db(), id) });
  });

  r.post('/orders/:id/cancel', async (req, res) => {
    const id = orderId(req.params);
    const { reason } = parse(cancelBody, req.body ?? {});
    res.json(await cancel(req.caller, id, reason ?? 'cancelled by request', `POST /orders/${id}/cancel`));
  });

  r.delete('/orders/:id', async (req, res) => {
    const id = orderId(req.params);
    res.json(await cancel(req.caller, id, 'cancelled by request', `DELETE /orders/${id}`));
  });

  r.put('/orders/:id', async (req, res) => {
    const id = orderId(req.params);
    const changes = parse(updateBody, req.body);
    const order = await findOrder(db(), id, visibleCustomer(req.caller));
    if (!order) throw notFound('order');
    if (!(await updateDetails(db(), id, editable, changes))) {
      throw conflict('invalid_transition', `an order that is ${order.status} can no longer be changed`, { status: order.status });
    }
    res.json(await findOrder(db(), id));
  });
});
