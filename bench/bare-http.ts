import { randomUUID } from 'node:crypto';
import express from 'express';
import pg from 'pg';

/**
 * The HTTP yardstick: a bare express app over a pg pool of the same size, running the same SQL as
 * the real handlers (products/store.ts listProducts, cart/store.ts openCart, cartItems, findProduct,
 * addItem) with nothing else: no identity, validation, rate limit, telemetry, knex or Functions Framework.
 *   tsx bench/bare-http.ts   (PORT, DATABASE_URL, DB_POOL_MAX)
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 5) });
const app = express();
app.use(express.json());

const cents = (n: string | number) => Number(n) / 100;
const openCart = (q: pg.Pool | pg.PoolClient, customer: string, lock = false) =>
  q.query(`select * from cart.carts where customer_id = $1 and not status = 'ordered' limit 1${lock ? ' for update' : ''}`, [
    customer,
  ]);
const items = async (q: pg.Pool | pg.PoolClient, cartId: string) =>
  (await q.query('select * from cart.items where cart_id = $1 order by added_at asc, product_sku asc', [cartId])).rows.map(
    (r) => ({ product_sku: r.product_sku, quantity: r.quantity, unit_price: cents(r.unit_price_cents) }),
  );

app.get('/products', async (_req, res) => {
  const { rows } = await pool.query(
    'select *, sku::text as _cursor0 from catalog.products where deleted_at is null order by sku asc limit $1',
    [21],
  );
  const data = rows.slice(0, 20).map(({ _cursor0, ...p }) => ({ ...p, price: cents(p.price_cents) }));
  res.json({ data, next_cursor: rows.length > 20 ? String(rows[19]._cursor0) : null });
});

app.get('/cart', async (req, res) => {
  const cart = (await openCart(pool, String(req.headers['x-customer-id']))).rows[0];
  res.json(cart ? { cart, items: await items(pool, cart.id) } : { cart: null, items: [] });
});

app.post('/cart/items', async (req, res) => {
  const customer = String(req.headers['x-customer-id']);
  const { product_sku, quantity } = req.body as { product_sku: string; quantity: number };
  const client = await pool.connect();
  try {
    await client.query('begin');
    const product = (
      await client.query('select sku, name, price_cents from cart.products where sku = $1 and deleted = false limit 1', [
        product_sku,
      ])
    ).rows[0];
    let cart = (await openCart(client, customer, true)).rows[0];
    if (!cart) {
      await client.query(`insert into cart.carts (id, customer_id, status) values ($1, $2, 'active')`, [randomUUID(), customer]);
      cart = (await openCart(client, customer, true)).rows[0];
    }
    await client.query(
      `insert into cart.items (cart_id, product_sku, quantity, unit_price_cents) values ($1, $2, $3, $4)
       on conflict (cart_id, product_sku) do update set quantity = cart.items.quantity + excluded.quantity,
       unit_price_cents = excluded.unit_price_cents where cart.items.quantity <= $5 returning quantity`,
      [cart.id, product_sku, quantity, product.price_cents, 10_000 - quantity],
    );
    await items(client, cart.id);
    const view = { cart: (await openCart(client, customer)).rows[0], items: await items(client, cart.id) };
    await client.query('commit');
    res.json(view);
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
});

const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ ready: 'bare' }));
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
