import { z } from 'zod';
import { defineContract, page, timestamp } from '../../shared/http/contract';
import { createBody, idParam, listQuery, updateBody, verifyBody } from './api';

const customer = z.looseObject({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  pending_email: z.string().nullable().describe('a new address waiting for its verification code'),
  created_at: timestamp,
  updated_at: timestamp,
});
const example = {
  id: '550e8400-e29b-41d4-a716-446655440000',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  pending_email: null,
  created_at: '2026-12-01T14:09:30.709Z',
  updated_at: '2026-12-01T14:09:30.709Z',
};

export const customersContract = defineContract({
  service: 'customers',
  description: 'Customers. A customer sees and changes only itself (anyone else is a 404); writes publish customer.* events.',
  routes: [
    {
      method: 'get',
      path: '/customers',
      summary: 'List customers',
      access: 'admin',
      query: listQuery,
      ok: {
        status: 200,
        description: 'a page of customers',
        schema: page(customer),
        example: { data: [example], next_cursor: null },
      },
    },
    {
      method: 'post',
      path: '/customers',
      summary: 'Register a customer (publishes customer.created); 409 when the address is taken',
      access: 'admin',
      body: createBody,
      ok: { status: 201, description: 'created', schema: customer, example },
      errors: [409],
    },
    {
      method: 'get',
      path: '/customers/:id',
      summary: 'One customer',
      access: 'anyone',
      params: idParam,
      ok: { status: 200, description: 'the customer', schema: customer, example },
    },
    {
      method: 'put',
      path: '/customers/:id',
      summary:
        'Change the name (publishes customer.updated) or ask for a new email address (a verification code is mailed to it)',
      access: 'anyone',
      params: idParam,
      body: updateBody,
      rateLimited: true,
      ok: { status: 200, description: 'the changed customer', schema: customer, example },
      errors: [409],
    },
    {
      method: 'post',
      path: '/customers/:id/verify-email',
      summary: 'Confirm a new email address with the code mailed to it (publishes customer.updated)',
      access: 'anyone',
      params: idParam,
      body: verifyBody,
      ok: { status: 200, description: 'the customer with its new address', schema: customer, example },
      errors: [409],
    },
    {
      method: 'delete',
      path: '/customers/:id',
      summary: 'Delete a customer (publishes customer.deleted)',
      access: 'anyone',
      params: idParam,
      ok: { status: 204, description: 'deleted' },
    },
  ],
});
