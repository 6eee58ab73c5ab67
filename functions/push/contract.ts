import { z } from 'zod';
import { defineContract, page, timestamp } from '../../shared/http/contract';
import { customerParam, listQuery } from './api';

const message = z.looseObject({
  notification_id: z.uuid(),
  customer_id: z.uuid(),
  title: z.string(),
  body: z.string(),
  received_at: timestamp,
});

export const pushContract = defineContract({
  service: 'push',
  description: 'Push delivery (push.requested → the provider) and, locally, the inbox of what was delivered.',
  routes: [
    {
      method: 'get',
      path: '/notifications/:customerId',
      summary: "A customer's push inbox, oldest first (the caller's own, or anyone's for an admin)",
      access: 'anyone',
      params: customerParam,
      query: listQuery,
      ok: {
        status: 200,
        description: 'a page of delivered push messages',
        schema: page(message),
        example: {
          data: [
            {
              notification_id: '3c2b1a00-9f8e-4d7c-8b6a-5e4d3c2b1a00',
              customer_id: '550e8400-e29b-41d4-a716-446655440000',
              title: 'Order confirmed',
              body: 'Your order is confirmed.',
              received_at: '2026-12-01T14:09:31.002Z',
            },
          ],
          next_cursor: null,
        },
      },
    },
  ],
});
