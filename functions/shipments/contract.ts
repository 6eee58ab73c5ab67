import { z } from 'zod';
import { defineContract, timestamp } from '../../shared/http/contract';
import { orderParam } from './api';
import { shipmentStatuses } from './domain';

const shipment = z.looseObject({
  id: z.uuid(),
  order_id: z.uuid(),
  cart_id: z.uuid(),
  customer_id: z.uuid(),
  status: z.enum(shipmentStatuses),
  carrier: z.string().nullable(),
  tracking_number: z.string().nullable(),
  failure_reason: z.string().nullable(),
  attempts: z.number().int().min(0),
  next_attempt_at: timestamp.nullable(),
  last_error: z.string().nullable().optional().describe('admins only'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const shipmentsContract = defineContract({
  service: 'shipments',
  description:
    'Books a shipment with the carrier once an order is paid (payment.succeeded); publishes shipment.scheduled or shipment.failed.',
  routes: [
    {
      method: 'get',
      path: '/shipments/:order_id',
      summary: "An order's shipment",
      access: 'anyone',
      params: orderParam,
      ok: {
        status: 200,
        description: 'the shipment',
        schema: shipment,
        example: {
          id: '2b3c4d5e-6f70-4a81-9b2c-3d4e5f607182',
          order_id: '7d0f4a0e-3b8e-4c55-9a4f-0c6f1b2e9a10',
          cart_id: '1f6f0b8c-2a49-4c1e-8d7e-5b8f3c2d1a00',
          customer_id: '550e8400-e29b-41d4-a716-446655440000',
          status: 'scheduled',
          carrier: 'local-carrier',
          tracking_number: 'TRK123',
          failure_reason: null,
          attempts: 1,
          next_attempt_at: null,
          created_at: '2026-12-01T14:09:30.709Z',
          updated_at: '2026-12-01T14:09:31.002Z',
        },
      },
    },
  ],
});
