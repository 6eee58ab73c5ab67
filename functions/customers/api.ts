import { z } from 'zod';
import { db } from '../../shared/db';
import { notFound } from '../../shared/errors';
import { email, name, uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireAdmin, type Caller } from '../../shared/http/identity';
import { pageQuery } from '../../shared/http/pagination';
import { inTransaction } from '../../shared/messaging/outbox';
import {
  customerEvent,
  deleteCustomer,
  findCustomer,
  insertCustomer,
  listCustomers,
  updateCustomer,
  type Customer,
} from './store';

const createBody = z.object({ name, email }).strict();
const updateBody = z
  .object({ name: name.optional(), email: email.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one of name, email is required');
const idParam = z.object({ id: uuid });
const listQuery = z.object(pageQuery).strict();

const view = ({ version: _version, ...c }: Customer) => c;

/** A customer may see and change only itself (anyone else's is a 404); an admin, anyone. */
function targetId(caller: Caller, params: unknown): string {
  const { id } = parse(idParam, params);
  const target = id.toLowerCase();
  if (caller.role === 'customer' && caller.customerId !== target) throw notFound('customer');
  return target;
}

export const customersApi = httpApi('customers', (r) => {
  r.get('/customers', async (req, res) => {
    requireAdmin(req.caller);
    const page = await listCustomers(db(), parse(listQuery, req.query));
    res.json({ ...page, data: page.data.map(view) });
  });

  r.post('/customers', async (req, res) => {
    const input = parse(createBody, req.body);
    const customer = await inTransaction('customers', async ({ tx, emit }) => {
      const created = (await insertCustomer(tx, input))!;
      await emit('customer.created', customerEvent(created), { correlationId: created.id });
      return created;
    });
    res.status(201).location(`/customers/${customer.id}`).json(view(customer));
  });

  r.get('/customers/:id', async (req, res) => {
    const customer = await findCustomer(db(), targetId(req.caller, req.params));
    if (!customer) throw notFound('customer');
    res.json(view(customer));
  });

  r.put('/customers/:id', async (req, res) => {
    const id = targetId(req.caller, req.params);
    const changes = parse(updateBody, req.body);
    const customer = await inTransaction('customers', async ({ tx, emit }) => {
      const updated = await updateCustomer(tx, id, changes);
      if (!updated) throw notFound('customer');
      await emit('customer.updated', customerEvent(updated), { correlationId: id });
      return updated;
    });
    res.json(view(customer));
  });

  r.delete('/customers/:id', async (req, res) => {
    const id = targetId(req.caller, req.params);
    await inTransaction('customers', async ({ tx, emit }) => {
      const version = await deleteCustomer(tx, id);
      if (version === undefined) throw notFound('customer');
      await emit('customer.deleted', { customer_id: id, version }, { correlationId: id });
    });
    res.status(204).end();
  });
});
