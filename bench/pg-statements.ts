import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { db } from '../shared/db';

/**
 * BENCH_PG_STATEMENTS=1: PostgreSQL runs with pg_stat_statements, and after the flow the statements of the bench
 * database, most called first, are written to dist/profiles/pg-statements.txt (calls per order, calls, total and mean ms).
 */
export const statementsWanted = process.env.BENCH_PG_STATEMENTS === '1';
export const statementSettings = statementsWanted ? ['shared_preload_libraries=pg_stat_statements'] : [];

/** Writes the report; the bench's own connection (shared/db.ts) reaches the bench database. */
export async function writeStatements(): Promise<string> {
  const orders = Number((await db().raw('select count(*) n from orders.orders')).rows[0].n);
  await db().raw('create extension if not exists pg_stat_statements');
  const rows: { calls: string; total: number; mean: number; query: string }[] = (
    await db().raw(
      `select calls, total_exec_time total, mean_exec_time mean, query from pg_stat_statements
       where dbid = (select oid from pg_database where datname = current_database()) order by calls desc limit 60`,
    )
  ).rows;
  const lines = rows.map(
    (r) =>
      `${(Number(r.calls) / Math.max(1, orders)).toFixed(2).padStart(7)}/order ${String(r.calls).padStart(8)} calls ` +
      `${r.total.toFixed(0).padStart(7)} ms ${r.mean.toFixed(3).padStart(7)} ms/call  ${r.query.replace(/\s+/g, ' ').slice(0, 220)}`,
  );
  const file = path.resolve(__dirname, '../dist/profiles/pg-statements.txt');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
