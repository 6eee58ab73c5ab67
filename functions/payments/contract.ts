import { z } from 'zod';
import { amount, defineContract, timestamp } from '../../shared/http/contract';
import { orderParam } from './api';
import { paymentStatuses } from './domain';
import { SIGNATURE_HEADER, webhookEvent } from './webhook';

const payment = z.looseObject({
  id: z.uuid(),
  order_id: z.uuid(),
  customer_id: z.uuid(),
  amount,
  status: z.enum(paymentStatuses),
  order_cancelled: z.boolean(),
  charge_ref: z.string().nullable(),
  refund_ref: z.string().nullable(),
  failure_reason: z.string().nullable(),
  attempts: z.number().int().min(0),
  next_attempt_at: timestamp.nullable(),
  last_error: z.string().nullable().optional().describe('admins only'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const paymentsContract = defineContract({
  service: 'payments',
  description:
    "Charges an order when order.created arrives and refunds it on order.cancelled, through the payment provider; the provider's signed webhook reports the outcome (payment.* events).",
  routes: [
    {
      method: 'get',
      path: '/payments/:order_id',
      summary: "An order's payment",
      access: 'anyone',
      params: orderParam,
      ok: {
        status: 200,
        description: 'the payment',
        schema: payment,
        example: {
          id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          order_id: '7d0f4a0e-3b8e-4c55-9a4f-0c6f1b2e9a10',
          customer_id: '550e8400-e29b-41d4-a716-446655440000',
          amount: 19.98,
          status: 'captured',
          order_cancelled: false,
          charge_ref: 'ch_123',
          refund_ref: null,
          failure_reason: null,
          attempts: 1,
          next_attempt_at: null,
          created_at: '2026-12-01T14:09:30.709Z',
          updated_at: '2026-12-01T14:09:31.002Z',
        },
      },
    },
    {
      method: 'post',
      path: '/payments/webhook',
      summary: "The provider's signed callback (signature checked over the raw body before anything is read)",
      access: 'public',
      headers: {
        [SIGNATURE_HEADER]: {
          description:
            't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the shared secret; 401 when missing, stale or wrong',
          required: true,
        },
      },
      body: webhookEvent,
      ok: {
        status: 200,
        description: 'recorded (a replayed event id is a duplicate and changes nothing)',
        schema: z.object({ received: z.literal(true), duplicate: z.boolean() }),
        example: { received: true, duplicate: false },
      },
      errors: [401, 409],
    },
  ],
});
