import knex, { type Knex } from 'knex';
import { config } from './config';

export type Db = Knex;
export type Tx = Knex.Transaction;

let instance: Knex | undefined;

/** The process-wide pool, created lazily on first use. */
export function db(): Knex {
  instance ??= knex({
    client: 'pg',
    connection: config().DATABASE_URL,
    pool: { min: 0, max: config().DB_POOL_MAX },
  });
  return instance;
}

export async function closeDb(): Promise<void> {
  const current = instance;
  instance = undefined;
  await current?.destroy();
}

/** Postgres error codes we act on. */
export const PG = {
  uniqueViolation: '23505',
} as const;

export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
