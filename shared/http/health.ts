import { config } from '../config';
import { db } from '../db';
import { pubsub } from '../messaging/pubsub';

export type Check = () => Promise<void>;
export interface Health {
  ok: boolean;
  /** Per check: `ok` or `failing: <code>` (an error code, never an error text: those name hosts and users). */
  checks: Record<string, string>;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'timeout' })), ms).unref(),
    ),
  ]);

/** The checks every service runs on `GET /`: its database and Pub/Sub. */
export const standardChecks: Record<string, Check> = {
  database: async () => {
    await db().raw('select 1');
  },
  pubsub: async () => {
    await pubsub().getTopics({ pageSize: 1, autoPaginate: false, gaxOpts: { timeout: 2_000, retry: null } });
  },
};

/**
 * Runs the checks at most once per `ttlMs` (concurrent callers share the run in flight), so a public
 * `GET /` costs no database query, Pub/Sub call or SMTP login per request; `{fresh: true}` (for an
 * admin) runs them now and refreshes the cache.
 */
export function healthProbe(
  checks: Record<string, Check>,
  ttlMs: number = config().HEALTH_CACHE_MS,
  now: () => number = Date.now,
): (options?: { fresh?: boolean }) => Promise<Health> {
  let last: { at: number; result: Promise<Health> } | undefined;
  return ({ fresh = false } = {}) => {
    if (fresh || !last || now() - last.at >= ttlMs) last = { at: now(), result: runChecks(checks) };
    return last.result;
  };
}

async function runChecks(checks: Record<string, Check>): Promise<Health> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), 3_000)));
  return {
    ok: results.every((r) => r.status === 'fulfilled'),
    checks: Object.fromEntries(
      names.map((name, i) => {
        const r = results[i];
        return [name, r.status === 'fulfilled' ? 'ok' : `failing: ${codeOf(r.reason)}`];
      }),
    ),
  };
}

/** A system error code (ECONNREFUSED), a PostgreSQL SQLSTATE (28P01), a gRPC status (grpc-14), else `error`. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return `grpc-${code}`;
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
  return 'error';
}
