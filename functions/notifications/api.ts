import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { db } from '../../shared/db';
import { notFound } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { listScope, requireAdmin, visibleCustomer } from '../../shared/http/identity';
import { idempotencyKey, idempotent, sendAnswer } from '../../shared/http/idempotency';
import { emptyPage, pageQuery } from '../../shared/http/pagination';
import { createNotification } from './notify';
import { channels, findCustomer, findNotification, kinds, listNotifications, statuses } from './store';

export const listQuery = z
  .object({
    ...pageQuery,
    customer_id: uuid.optional(),
    kind: z.enum(kinds).optional(),
    channel: z.enum(channels).optional(),
    status: z.enum(statuses).optional(),
  })
  .strict();
export const idParam = z.object({ id: uuid });
export const createBody = z
  .object({
    customer_id: uuid,
    channel: z.enum(channels),
    subject: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(2000),
  })
  .strict();

export const notificationsApi = httpApi('notifications', (r) => {
  r.get('/notifications', async (req, res) => {
    const { limit, cursor, ...filter } = parse(listQuery, req.query);
    const customer_id = listScope(req.caller, filter.customer_id);
    res.json(customer_id === null ? emptyPage : await listNotifications(db(), { ...filter, customer_id }, { limit, cursor }));
  });

  r.get('/notifications/:id', async (req, res) => {
    const { id } = parse(idParam, req.params);
    const notification = await findNotification(db(), id.toLowerCase(), visibleCustomer(req.caller));
    if (!notification) throw notFound('notification');
    res.json(notification);
  });

  /** A manual notification (admin). With an Idempotency-Key a retried request answers the first result. */
  r.post('/notifications', async (req, res) => {
    requireAdmin(req.caller);
    const input = parse(createBody, req.body);
    const customerId = input.customer_id.toLowerCase();
    const target = { scope: 'notifications.manual', key: idempotencyKey(req), request: { ...input, customer_id: customerId } };
    const answer = await idempotent('notifications', target, async (uow) => {
      const customer = await findCustomer(uow.tx, customerId);
      if (!customer || customer.deleted || !customer.email) throw notFound('customer');
      const notification = await createNotification(uow, {
        kind: 'manual',
        channel: input.channel,
        customer_id: customerId,
        recipient: input.channel === 'email' ? customer.email : customerId,
        subject: input.subject,
        body: input.body,
        source: `manual:${randomUUID()}`,
        correlation_id: customerId,
      });
      return { status: 201, body: notification };
    });
    res.location(`/notifications/${(answer.body as { id: string }).id}`);
    sendAnswer(res, answer);
  });
});
