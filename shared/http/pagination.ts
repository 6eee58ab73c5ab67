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
    .catch((error: unknown) => {
      // a cursor whose values do not fit the key columns (PostgreSQL data exception, class 22)
      if (cursor !== undefined && pgCode(error)?.startsWith('22'))
        throw badRequest('invalid_cursor', 'cursor is not one this API issued');
      throw error;
    });
  const cursorOf = (row: Row) => keys.map((_, i) => row[`_cursor${i}`]);
  const last = rows[Math.min(rows.length, limit) - 1];
  const next = rows.length > limit && last ? encodeCursor(cursorOf(last)) : null;
  const data = rows.slice(0, limit).map((row) => {
    const clean: Record<string, unknown> = { ...row };
    keys.forEach((_, i) => delete clean[`_cursor${i}`]);
    return clean as Row;
  });
  return { data, next_cursor: next };
}

const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

function decodeCursor(cursor: string, length: number): unknown[] {
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
