import { z } from 'zod';
import { defineContract, page, timestamp } from '../../shared/http/contract';
import { createBody, idParam, listQuery } from './api';
import { channels, kinds, statuses } from './store';

const notification = z.looseObject({
  id: z.uuid(),
  customer_id: z.uuid().nullable(),
  channel: z.enum(channels),
  kind: z.enum(kinds),
  status: z.enum(statuses),
  failure_reason: z.string().nullable(),
  recipient: z.string(),
  subject: z.string(),
  body: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
const example = {
  id: '3c2b1a00-9f8e-4d7c-8b6a-5e4d3c2b1a00',
  customer_id: '550e8400-e29b-41d4-a716-446655440000',
  channel: 'email',
  kind: 'order_created',
  status: 'sent',
  failure_reason: null,
  recipient: 'ada@example.com',
  subject: 'Your order is confirmed',
  body: 'Thank you for your order.',
  created_at: '2026-12-01T14:09:30.709Z',
  updated_at: '2026-12-01T14:09:31.002Z',
};

export const notificationsContract = defineContract({
  service: 'notifications',
  description:
    'Emails and pushes to customers (one per customer-facing event), delivered by the email and push services through events.',
  routes: [
    {
      method: 'get',
      path: '/notifications',
      summary: "List notifications (a customer's own; an admin's all, filtered)",
      access: 'anyone',
      query: listQuery,
      ok: {
        status: 200,
        description: 'a page of notifications',
        schema: page(notification),
        example: { data: [example], next_cursor: null },
      },
    },
    {
      method: 'get',
      path: '/notifications/:id',
      summary: 'One notification',
      access: 'anyone',
      params: idParam,
      ok: { status: 200, description: 'the notification', schema: notification, example },
    },
    {
      method: 'post',
      path: '/notifications',
      summary: 'Send a manual notification (publishes email.requested or push.requested)',
      access: 'admin',
      body: createBody,
      idempotencyKey: true,
      ok: {
        status: 201,
        description: 'created (a retry with the same Idempotency-Key answers the same)',
        schema: notification,
        example: { ...example, kind: 'manual', status: 'pending' },
      },
      errors: [404],
    },
  ],
});
