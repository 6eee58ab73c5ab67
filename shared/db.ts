import type { ConnectionOptions } from 'node:tls';
import knex, { type Knex } from 'knex';
import { config } from './config';

export type Db = Knex;
export type Tx = Knex.Transaction;

let instance: Knex | undefined;

/** The process-wide pool, created lazily on first use. */
export function db(): Knex {
  instance ??= knex({
    client: 'pg',
    connection: connectionOptions(config().DATABASE_URL, config().DATABASE_CA_CERT),
    pool: { min: 0, max: config().DB_POOL_MAX },
  });
  return instance;
}

/**
 * The pg connection for a DATABASE_URL: whenever TLS is on, the server is verified. `sslmode=verify-ca`
 * checks the certificate chain against `ca` but not the name (Cloud SQL's server certificate names the
 * instance, not the private IP we connect to); `verify-full` and `require` check the name too. Config
 * refuses `no-verify`. The URL's own sslmode is removed: pg would let it override these options.
 */
export function connectionOptions(url: string, ca?: string): { connectionString: string; ssl: false | ConnectionOptions } {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('sslmode') ?? 'disable';
  parsed.searchParams.delete('sslmode');
  const connectionString = parsed.toString();
  if (mode === 'disable') return { connectionString, ssl: false };
  const verified: ConnectionOptions = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  return { connectionString, ssl: mode === 'verify-ca' ? { ...verified, checkServerIdentity: () => undefined } : verified };
}

/**
 * A statement of a hot path, run by pg on the connection knex would use rather than built and run by knex, and prepared
 * once per connection under its name (PostgreSQL parses and plans it once). Measured on `GET /products`: knex's query
 * builder and runner took 15 % of the throughput; a named statement on the same pool gave it back and a little more
 * (docs/PERFORMANCE.md). Its text names its columns (no `*`): a prepared statement's result shape is fixed when it is
 * prepared, so a column a later migration adds must not change it.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
  /** Prepared once per connection (the default), or planned again on every run. */
  readonly prepared: boolean;
}

const statements = new Map<string, string>();

/**
 * `prepared: false` for a statement whose best plan depends on its values: after five runs PostgreSQL may keep one
 * generic plan for a prepared statement, made without knowing the values, and for the outbox's published mark
 * (`id = any($1)`) that plan cost 0.43 ms per call against 0.11 ms planned each time (pg_stat_statements, flow bench).
 */
export function statement(name: string, text: string, options: { prepared?: boolean } = {}): Statement {
  if (statements.has(name) && statements.get(name) !== text) throw new Error(`statement ${name} is defined twice`);
  if (/^\s*select\s+\*|returning\s+\*/i.test(text)) throw new Error(`statement ${name} must name its columns`);
  statements.set(name, text);
  return { name, text, prepared: options.prepared ?? true };
}

interface ConnectionSource {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<unknown>;
}
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Runs a statement on the pool, or inside the transaction when `knex` is one (its connection, its savepoints). */
export async function run<Row>(knex: Knex, { name, text, prepared }: Statement, values: unknown[]): Promise<Row[]> {
  if ((knex as { isCompleted?: () => boolean }).isCompleted?.())
    throw new Error(`statement ${name}: the transaction has already ended`);
  const source = knex.client as unknown as ConnectionSource;
  const connection = await source.acquireConnection();
  try {
    return (await connection.query(prepared ? { name, text, values } : { text, values })).rows as Row[];
  } finally {
    await source.releaseConnection(connection);
  }
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

/** SQLSTATEs and socket errors that say the server cannot be reached right now, not that the work is wrong. */
const UNREACHABLE = new Set([
  ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN'],
  // admin_shutdown, crash_shutdown, cannot_connect_now, connection exceptions, too_many_connections
  ...['57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', '53300'],
]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|Connection ended unexpectedly|Timeout acquiring a connection|connection error/i;

export function isDatabaseUnreachable(err: unknown): boolean {
  const code = pgCode(err);
  if (code !== undefined && UNREACHABLE.has(code)) return true;
  return err instanceof Error && UNREACHABLE_MESSAGE.test(err.message);
}

/**
 * Runs `work`, and runs it again while the database cannot be reached, for up to `budgetMs`
 * (waits of 100 ms doubling to 2 s); then, or for any other error, it throws. `work` must be
 * safe to repeat (one transaction whose effects are claimed by a key, as a consumer's are).
 */
export async function untilDatabaseAnswers<T>(work: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const left = deadline - Date.now();
      if (!isDatabaseUnreachable(error) || left <= 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt, left)));
    }
  }
}
