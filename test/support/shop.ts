import { randomUUID } from 'node:crypto';
import { db } from '../../shared/db';
import { eventually, type TestSystem } from './harness';

/** Shop-level steps for order-flow tests, driven through the services' HTTP APIs. */
export function shop(system: TestSystem) {
  const products = () => system.http('products');
  const inventory = () => system.http('inventory');
  const cart = () => system.http('cart');
  const orders = () => system.http('orders');

  return {
    newCustomer: () => randomUUID(),

    /** A product in the catalog with stock, once the cart's projection knows it. */
    async stockedProduct(sku: string, price: number, units: number): Promise<void> {
      expect((await products()('POST', '/products', { body: { sku, name: `Product ${sku}`, price } })).status).toBe(201);
      expect((await inventory()('POST', '/inventory', { body: { product_sku: sku, quantity: units } })).status).toBe(201);
      await eventually(() => db()('cart.products').where({ sku }).first(), 20_000, `cart projection of ${sku}`);
    },

    async add(customer: string, sku: string, quantity: number) {
      const res = await cart()('POST', '/cart/items', { customer, body: { product_sku: sku, quantity } });
      expect(res.status).toBe(200);
      return res.body;
    },

    async convert(customer: string): Promise<string> {
      const res = await cart()('POST', '/cart/convert-to-order', { customer });
      expect(res.status).toBe(202);
      return res.body.cart_id;
    },

    /** A new customer's confirmed order of `quantity` units, cancelled, with the stock back. */
    async cancelledOrder(sku: string, units: number, quantity: number) {
      await this.stockedProduct(sku, 4, units);
      const customer = this.newCustomer();
      await this.add(customer, sku, quantity);
      const cartId = await this.convert(customer);
      const order = await this.orderOf(customer, cartId);
      expect((await orders()('POST', `/orders/${order.id}/cancel`, { customer })).status).toBe(200);
      await eventually(async () => (await this.stock(sku)).quantity === units, 20_000, `stock of ${sku} to return`);
      return { customer, cartId, order };
    },

    cart: async (customer: string) => (await cart()('GET', '/cart', { customer })).body,
    stock: async (sku: string) => (await inventory()('GET', `/inventory/${sku}`)).body,

    /** The order of a cart, once it exists. */
    orderOf: (customer: string, cartId: string) =>
      eventually(
        async () => (await orders()('GET', `/orders?cart_id=${cartId}`, { customer })).body.data[0],
        30_000,
        `order for cart ${cartId}`,
      ),

    /** Resolves when the cart has an outcome: ordered, or rejected and unlocked (I3). */
    outcomeOf: (cartId: string) =>
      eventually(
        async () => {
          const c = await db()('cart.carts').where({ id: cartId }).first();
          return c && ['ordered', 'stock-unavailable'].includes(c.status) && c;
        },
        60_000,
        `outcome of cart ${cartId}`,
      ),
  };
}
