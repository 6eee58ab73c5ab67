import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { db } from '../../shared/db';
import { conflict, notFound } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { listScope, requireAdmin, visibleCustomer } from '../../shared/http/identity';
import { emptyPage, pageQuery } from '../../shared/http/pagination';
import { inTransaction } from '../../shared/messaging/outbox';
import { createNotification } from './notify';
import { channels, findBySource, lockSource, findCustomer, findNotification, kinds, listNotifications, statuses } from './store';

const listQuery = z
  .object({
    ...pageQuery,
    customer_id: uuid.optional(),
    kind: z.enum(kinds).optional(),
    channel: z.enum(channels).optional(),
    status: z.enum(statuses).optional(),
  })
  .strict();
const idParam = z.object({ id: uuid });
const createBody = z
  .object({
    customer_id: uuid,
    channel: z.enum(channels),
    subject: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(2000),
  })
  .strict();
const idempotencyKey = z.string().trim().min(1).max(200).optional();

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
    const key = parse(idempotencyKey, req.get('idempotency-key'));
    const customerId = input.customer_id.toLowerCase();
    const source = `manual:${key ?? randomUUID()}`;
    const { notification, created } = await inTransaction('notifications', async (uow) => {
      const customer = await findCustomer(uow.tx, customerId);
      if (!customer || customer.deleted || !customer.email) throw notFound('customer');
      const draft = {
        kind: 'manual' as const,
        channel: input.channel,
        customer_id: customerId,
        recipient: input.channel === 'email' ? customer.email : customerId,
        subject: input.subject,
        body: input.body,
        source,
        correlation_id: customerId,
      };
      // one key, one notification: concurrent retries queue on the key, and a reuse for anything else is a 409
      await lockSource(uow.tx, source);
      const first = await findBySource(uow.tx, source);
      if (!first) return { notification: (await createNotification(uow, draft))!, created: true };
      const same = (['channel', 'customer_id', 'subject', 'body'] as const).every((field) => first[field] === draft[field]);
      if (!same) throw conflict('idempotency_key_reused', 'this Idempotency-Key was used for a different notification');
      return { notification: first, created: false };
    });
    res
      .status(created ? 201 : 200)
      .location(`/notifications/${notification.id}`)
      .json(notification);
  });
});
