import type { Knex } from 'knex';
import { z } from 'zod';
import { pgCode } from '../db';
import { badRequest } from '../errors';

/** Keyset pagination: `?limit=&cursor=` → `{data, next_cursor}`; the cursor is opaque. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
};

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const emptyPage: Page<never> = Object.freeze({ data: [], next_cursor: null }) as Page<never>;

/** Orders by `keys` (which together must be unique) and returns the page after `cursor`. */
export async function paginate<Row extends Record<string, unknown>>(
  query: Knex.QueryBuilder,
  keys: string[],
  { limit, cursor }: { limit: number; cursor?: string },
): Promise<Page<Row>> {
  if (cursor !== undefined) {
    const after = decodeCursor(cursor, keys.length);
    query.whereRaw(`(${keys.map(() => '??').join(', ')}) > (${keys.map(() => '?').join(', ')})`, [...keys, ...after]);
  }
  // Cursor values are read back as text so timestamps keep PostgreSQL's microseconds.
  query.select(keys.map((key, i) => query.client.raw('??::text as ??', [key, `_cursor${i}`])));
  const rows: Row[] = await query
    .orderBy(keys.map((column) => ({ column })))
    .limit(limit + 1)
    .catch(refuseCursorOn(cursor));
  return pageOf(rows, keys.length, limit);
}

/**
 * The page in `rows`, which were read with `limit + 1` and each key's value as text in `_cursor<i>` (the key's
 * position): up to `limit` rows without those columns, and the cursor after the last one if there are more.
 */
export function pageOf<Row extends Record<string, unknown>>(rows: Row[], keyCount: number, limit: number): Page<Row> {
  const cursorOf = (row: Row) => Array.from({ length: keyCount }, (_, i) => row[`_cursor${i}`]);
  const last = rows[Math.min(rows.length, limit) - 1];
  const next = rows.length > limit && last ? encodeCursor(cursorOf(last)) : null;
  // copied without the cursor columns rather than deleted from: an object that loses a property turns slow
  const data = rows.slice(0, limit).map((row) => {
    const clean: Record<string, unknown> = {};
    for (const key in row) if (!key.startsWith('_cursor')) clean[key] = row[key];
    return clean as Row;
  });
  return { data, next_cursor: next };
}

/** A query's failure: a cursor whose values do not fit the key columns (PostgreSQL data exception, class 22) is a 400. */
export const refuseCursorOn =
  (cursor: string | undefined) =>
  (error: unknown): never => {
    if (cursor !== undefined && pgCode(error)?.startsWith('22'))
      throw badRequest('invalid_cursor', 'cursor is not one this API issued');
    throw error;
  };

const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** The key values a cursor holds; a cursor this API did not issue is a 400. */
export function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length && values.every((v) => ['string', 'number'].includes(typeof v))) {
      return values;
    }
  } catch {
    // fall through
  }
  throw badRequest('invalid_cursor', 'cursor is not one this API issued');
}
