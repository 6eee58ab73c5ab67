import { z } from 'zod';
import { db } from '../../shared/db';
import { badRequest, notFound } from '../../shared/errors';
import { email, name, uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { requireAdmin, type Caller } from '../../shared/http/identity';
import { pageQuery } from '../../shared/http/pagination';
import { perCustomer, rateLimit } from '../../shared/http/rate-limit';
import { inTransaction } from '../../shared/messaging/outbox';
import {
  customerEvent,
  deleteCustomer,
  duplicateEmail,
  emailTaken,
  findCustomer,
  insertCustomer,
  listCustomers,
  updateCustomer,
  type Customer,
} from './store';
import { consumeVerification, dropVerification, pendingEmail, startVerification } from './verification';

export const createBody = z.object({ name, email }).strict();
export const updateBody = z
  .object({ name: name.optional(), email: email.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one of name, email is required');
export const verifyBody = z.object({ token: z.string().min(1).max(200) }).strict();
export const idParam = z.object({ id: uuid });
export const listQuery = z.object(pageQuery).strict();

const view = ({ version: _version, ...c }: Customer, pending_email: string | null) => ({ ...c, pending_email });

/** A customer may see and change only itself (anyone else's is a 404); an admin, anyone. */
function targetId(caller: Caller, params: unknown): string {
  const { id } = parse(idParam, params);
  const target = id.toLowerCase();
  if (caller.role === 'customer' && caller.customerId !== target) throw notFound('customer');
  return target;
}

/** An address asked for in a PUT body, if any (the body is parsed JSON by now; validation comes later). */
const askedAddress = (req: { body?: unknown }): string | undefined => {
  const asked = (req.body as { email?: unknown } | undefined)?.email;
  return typeof asked === 'string' ? asked.trim().toLowerCase() : undefined;
};

/**
 * Each email change mails a code to an address the customer chose: limited per customer and per
 * target address (an hour's window, per instance), so nobody can make us mail-bomb an address.
 */
const HOUR = 3_600_000;
const changesByCustomer = rateLimit({
  name: 'email changes',
  limit: 5,
  windowMs: HOUR,
  key: (req) => (askedAddress(req) === undefined ? undefined : perCustomer(req)),
});
const changesByAddress = rateLimit({
  name: 'verification mails to this address',
  limit: 3,
  windowMs: HOUR,
  key: (req) => (perCustomer(req) === undefined ? undefined : askedAddress(req)),
});

export const customersApi = httpApi('customers', (r) => {
  r.get('/customers', async (req, res) => {
    requireAdmin(req.caller);
    const page = await listCustomers(db(), parse(listQuery, req.query));
    res.json({ ...page, data: page.data.map((c) => view(c, null)) });
  });

  /**
   * Creating a customer is an admin's act (the back office, or the sign-up backend behind the identity
   * provider): the address it gives is trusted, and the 409 for a taken address reaches only admins,
   * who may list every customer anyway, so it reveals nothing.
   */
  r.post('/customers', async (req, res) => {
    requireAdmin(req.caller);
    const input = parse(createBody, req.body);
    const customer = await inTransaction('customers', async ({ tx, emit }) => {
      const created = (await insertCustomer(tx, input))!;
      await emit('customer.created', customerEvent(created), { correlationId: created.id });
      return created;
    });
    res.status(201).location(`/customers/${customer.id}`).json(view(customer, null));
  });

  r.get('/customers/:id', async (req, res) => {
    const id = targetId(req.caller, req.params);
    const customer = await findCustomer(db(), id);
    if (!customer) throw notFound('customer');
    res.json(view(customer, await pendingEmail(db(), id)));
  });

  /**
   * A name changes at once. A new email address does not: it gets a verification mail and becomes the
   * customer's address only when its code comes back (POST …/verify-email); until then all mail goes
   * to the old address. Whether the new address is someone else's is not said here (that would reveal
   * registered addresses); it is checked when the code comes back, by the address's owner.
   */
  r.put('/customers/:id', changesByCustomer, changesByAddress, async (req, res) => {
    const id = targetId(req.caller, req.params);
    const changes = parse(updateBody, req.body);
    const answer = await inTransaction('customers', async ({ tx, emit }) => {
      let customer = await findCustomer(tx, id);
      if (!customer) throw notFound('customer');
      if (changes.name !== undefined && changes.name !== customer.name) {
        customer = (await updateCustomer(tx, id, { name: changes.name }))!;
        await emit('customer.updated', customerEvent(customer), { correlationId: id });
      }
      if (changes.email !== undefined && changes.email !== customer.email) {
        if (req.caller.role === 'admin' && (await emailTaken(tx, changes.email))) throw duplicateEmail();
        const pending = await startVerification(tx, id, changes.email, new Date());
        await emit(
          'customer.email_verification_requested',
          { customer_id: id, email: pending.email, token: pending.token, expires_at: pending.expiresAt.toISOString() },
          { correlationId: id },
        );
      }
      return view(customer, await pendingEmail(tx, id));
    });
    res.json(answer);
  });

  /** The code from the verification mail makes the pending address the customer's (customer.updated). */
  r.post('/customers/:id/verify-email', async (req, res) => {
    const id = targetId(req.caller, req.params);
    const { token } = parse(verifyBody, req.body);
    const customer = await inTransaction('customers', async ({ tx, emit }) => {
      if (!(await findCustomer(tx, id))) throw notFound('customer');
      const verified = await consumeVerification(tx, id, token, new Date());
      if (!verified) throw badRequest('invalid_token', 'the code is wrong or expired, or no email change is pending');
      const updated = (await updateCustomer(tx, id, { email: verified }))!;
      await emit('customer.updated', customerEvent(updated), { correlationId: id });
      return updated;
    });
    res.json(view(customer, null));
  });

  r.delete('/customers/:id', async (req, res) => {
    const id = targetId(req.caller, req.params);
    await inTransaction('customers', async ({ tx, emit }) => {
      const version = await deleteCustomer(tx, id);
      if (version === undefined) throw notFound('customer');
      await dropVerification(tx, id);
      await emit('customer.deleted', { customer_id: id, version }, { correlationId: id });
    });
    res.status(204).end();
  });
});
