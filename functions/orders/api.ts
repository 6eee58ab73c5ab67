import type { Request } from 'express';
import { z } from 'zod';
import { db } from '../../shared/db';
import { conflict, notFound } from '../../shared/errors';
import { shippingAddress, uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { idempotencyKey, idempotent, sendAnswer } from '../../shared/http/idempotency';
import { listScope, visibleCustomer, type Caller } from '../../shared/http/identity';
import { emptyPage, pageQuery } from '../../shared/http/pagination';
import { inTransaction } from '../../shared/messaging/outbox';
import { canTransition, editable, orderStatuses } from './domain';
import { cancelOrder, ownCause } from './saga';
import { findOrder, history, listOrders, lockOrder, updateDetails } from './store';

export const idParam = z.object({ id: uuid });
export const listQuery = z
  .object({ ...pageQuery, customer_id: uuid.optional(), cart_id: uuid.optional(), status: z.enum(orderStatuses).optional() })
  .strict();
export const cancelBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
export const updateBody = z
  .object({ notes: z.string().max(2000).nullable().optional(), shipping_address: shippingAddress.nullable().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one of notes, shipping_address is required');

const orderId = (params: unknown) => parse(idParam, params).id.toLowerCase();

/**
 * Cancels an order the caller may see: one order.cancelled, ever (the row lock and the status
 * machine decide). With an Idempotency-Key, a retry of a cancel whose answer was lost gets that
 * answer (200) again instead of a 409 for the order it cancelled itself.
 */
async function cancel(req: Request, id: string, reason: string | undefined) {
  const request = `${req.method} /orders/${id}${req.method === 'POST' ? '/cancel' : ''}`;
  const customer = visibleCustomer(req.caller);
  // the caller is part of the scope: another caller's key can never replay this caller's answer
  const target = {
    scope: `orders.cancel:${id}:${customer ?? 'admin'}`,
    key: idempotencyKey(req),
    request: { method: req.method, reason },
  };
  return idempotent('orders', target, async (uow) => {
    const order = await lockOrder(uow.tx, id, customer);
    if (!order) throw notFound('order');
    if (!canTransition(order.status, 'cancelled')) {
      throw conflict('invalid_transition', `an order that is ${order.status} cannot be cancelled`, { status: order.status });
    }
    return { status: 200, body: await cancelOrder(uow, order, { cause: 'requested', reason, by: ownCause(request) }) };
  });
}

/** Changes the editable fields; a new shipping address reaches shipments as order.updated, in the same transaction. */
async function edit(caller: Caller, id: string, changes: z.infer<typeof updateBody>) {
  return inTransaction('orders', async ({ tx, emit }) => {
    const order = await findOrder(tx, id, visibleCustomer(caller));
    if (!order) throw notFound('order');
    const updated = await updateDetails(tx, id, editable, changes);
    if (!updated) {
      throw conflict('invalid_transition', `an order that is ${order.status} can no longer be changed`, { status: order.status });
    }
    if (changes.shipping_address !== undefined) {
      const { customer_id, shipping_address, version } = updated;
      await emit('order.updated', { order_id: id, customer_id, shipping_address, version }, { correlationId: id });
    }
    return findOrder(tx, id);
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
    sendAnswer(res, await cancel(req, id, reason));
  });
  r.delete('/orders/:id', async (req, res) => {
    const id = orderId(req.params);
    sendAnswer(res, await cancel(req, id, undefined));
  });
  r.put('/orders/:id', async (req, res) => {
    const id = orderId(req.params);
    res.json(await edit(req.caller, id, parse(updateBody, req.body)));
  });
});
