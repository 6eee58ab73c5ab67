import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type { EventPayload } from '../../shared/events/catalog';
import { PG, pgCode } from '../../shared/db';
import { conflict } from '../../shared/errors';
import { paginate, type Page } from '../../shared/http/pagination';

const CUSTOMERS = 'customers.customers';

export interface Customer {
  id: string;
  name: string;
  email: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export const customerEvent = (c: Customer): EventPayload<'customer.created'> => ({
  customer_id: c.id,
  name: c.name,
  email: c.email,
  version: c.version,
});

const live = (knex: Knex) => knex(CUSTOMERS).whereNull('deleted_at');
const columns = ['id', 'name', 'email', 'version', 'created_at', 'updated_at'];

export const duplicateEmail = () => conflict('duplicate_email', 'a customer with this email already exists');

/** Unique-email violations become a 409 (the database decides, so concurrent sign-ups cannot race). */
async function uniqueEmail<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (pgCode(error) === PG.uniqueViolation) throw duplicateEmail();
    throw error;
  }
}

/** Whether a live customer has this address (emails are stored lower-case). */
export async function emailTaken(knex: Knex, email: string): Promise<boolean> {
  return (await live(knex).whereRaw('lower(email) = ?', [email.toLowerCase()]).first('id')) !== undefined;
}

export async function findCustomer(knex: Knex, id: string): Promise<Customer | undefined> {
  return live(knex).where({ id }).first(columns);
}

export async function listCustomers(knex: Knex, page: { limit: number; cursor?: string }): Promise<Page<Customer>> {
  return paginate<Customer & Record<string, unknown>>(live(knex).select(columns), ['created_at', 'id'], page);
}

/** Inserts a customer; with a known id (seed data) an existing row is left as it is (returns undefined). */
export async function insertCustomer(
  knex: Knex,
  input: { name: string; email: string; id?: string },
): Promise<Customer | undefined> {
  const [row] = await uniqueEmail(
    knex(CUSTOMERS)
      .insert({ id: input.id ?? randomUUID(), name: input.name, email: input.email })
      .onConflict('id')
      .ignore()
      .returning(columns),
  );
  return row;
}

export async function updateCustomer(
  knex: Knex,
  id: string,
  changes: { name?: string; email?: string },
): Promise<Customer | undefined> {
  const [row] = await uniqueEmail(
    live(knex)
      .where({ id })
      .update({ ...changes, version: knex.raw('version + 1'), updated_at: knex.fn.now() })
      .returning(columns),
  );
  return row;
}

export async function deleteCustomer(knex: Knex, id: string): Promise<number | undefined> {
  const [row] = await live(knex)
    .where({ id })
    .update({ deleted_at: knex.fn.now(), version: knex.raw('version + 1'), updated_at: knex.fn.now() })
    .returning('version');
  return row?.version;
}
