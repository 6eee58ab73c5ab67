import type { Knex } from 'knex';
import type { EventPayload } from '../../shared/events/catalog';
import { run, statement } from '../../shared/db';
import { decodeCursor, pageOf, refuseCursorOn, type Page } from '../../shared/http/pagination';
import { fromCents, toCents } from '../../shared/money';

const PRODUCTS = 'catalog.products';

interface ProductRow {
  sku: string;
  name: string;
  description: string | null;
  price_cents: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface Product {
  sku: string;
  name: string;
  description: string | null;
  price: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface ProductInput {
  sku: string;
  name: string;
  description?: string | null;
  price: number;
}

const toProduct = (row: ProductRow): Product => ({
  sku: row.sku,
  name: row.name,
  description: row.description,
  price: fromCents(row.price_cents),
  version: row.version,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export const productEvent = (p: Product): EventPayload<'product.created'> => ({
  sku: p.sku,
  name: p.name,
  description: p.description,
  price: p.price,
  version: p.version,
});

const live = (knex: Knex) => knex(PRODUCTS).whereNull('deleted_at');

export async function findProduct(knex: Knex, sku: string): Promise<Product | undefined> {
  const row = await live(knex).where({ sku }).first();
  return row && toProduct(row);
}

// the catalog's hot path: pages of live products by SKU (shared/http/pagination.ts's cursor), as named statements
const LISTED = `select sku, name, description, price_cents, version, created_at, updated_at, sku::text as _cursor0
  from ${PRODUCTS} where deleted_at is null`;
const FIRST_PAGE = statement('products.first-page', `${LISTED} order by sku limit $1`);
const PAGE_AFTER = statement('products.page-after', `${LISTED} and sku > $2 order by sku limit $1`);

export async function listProducts(knex: Knex, { limit, cursor }: { limit: number; cursor?: string }): Promise<Page<Product>> {
  const rows = await (
    cursor === undefined
      ? run<ProductRow & Record<string, unknown>>(knex, FIRST_PAGE, [limit + 1])
      : run<ProductRow & Record<string, unknown>>(knex, PAGE_AFTER, [limit + 1, decodeCursor(cursor, 1)[0]])
  ).catch(refuseCursorOn(cursor));
  const page = pageOf(rows, 1, limit);
  return { ...page, data: page.data.map(toProduct) };
}

/** Inserts a product, or revives a deleted SKU with a higher version; undefined if the SKU is live. */
export async function insertProduct(knex: Knex, input: ProductInput): Promise<Product | undefined> {
  const values = { sku: input.sku, name: input.name, description: input.description ?? null, price_cents: toCents(input.price) };
  const [row] = await knex(PRODUCTS)
    .insert(values)
    .onConflict('sku')
    .merge({
      ...values,
      version: knex.raw('catalog.products.version + 1'),
      created_at: knex.fn.now(),
      updated_at: knex.fn.now(),
      deleted_at: null,
    })
    .where('catalog.products.deleted_at', 'is not', null)
    .returning('*');
  return row && toProduct(row);
}

export async function updateProduct(
  knex: Knex,
  sku: string,
  changes: Partial<Omit<ProductInput, 'sku'>>,
): Promise<Product | undefined> {
  const [row] = await live(knex)
    .where({ sku })
    .update({
      ...(changes.name === undefined ? {} : { name: changes.name }),
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.price === undefined ? {} : { price_cents: toCents(changes.price) }),
      version: knex.raw('version + 1'),
      updated_at: knex.fn.now(),
    })
    .returning('*');
  return row && toProduct(row as ProductRow);
}

/** Tombstones the product; returns its new version, or undefined if there was no live product. */
export async function deleteProduct(knex: Knex, sku: string): Promise<number | undefined> {
  const [row] = await live(knex)
    .where({ sku })
    .update({ deleted_at: knex.fn.now(), version: knex.raw('version + 1'), updated_at: knex.fn.now() })
    .returning('version');
  return row?.version;
}
