import { db } from '../db';
import { pubsub } from '../messaging/pubsub';

export type Check = () => Promise<void>;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
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

export async function runChecks(checks: Record<string, Check>): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), 3_000)));
  const report = Object.fromEntries(
    names.map((name, i) => {
      const r = results[i];
      return [name, r.status === 'fulfilled' ? 'ok' : `failing: ${(r.reason as Error)?.message ?? r.reason}`];
    }),
  );
  return { ok: results.every((r) => r.status === 'fulfilled'), checks: report };
}
