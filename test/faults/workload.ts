import { randomUUID } from 'node:crypto';
import type { ServiceName } from '../../shared/topology';
import { client, sleep, type Answer } from './client';

/**
 * Concurrent customers shopping through the public APIs only: add items, convert (with a shipping
 * address, an Idempotency-Key kept across retries), sometimes cancel; some orders are declined by the
 * payment sandbox (a total in 5,000.00–5,999.99) or refused by the carrier (postal code 00000).
 * Everything a customer was told is recorded, to be compared with the system at quiescence.
 */
export const PRODUCTS = [
  { sku: 'FAULT-MUG', price: 12.5, units: 400 },
  { sku: 'FAULT-TEE', price: 19.99, units: 300 },
  { sku: 'FAULT-LAMP', price: 89, units: 120 },
  { sku: 'FAULT-CHAIR', price: 149.95, units: 60 },
  // one unit alone is a declined total (sandbox rule); never bought with anything else
  { sku: 'FAULT-TV', price: 5_499, units: 200 },
];

export type Scenario = 'ship' | 'decline' | 'undeliverable' | 'cancel';

export interface Convert {
  customer: string;
  cartId: string;
  scenario: Scenario;
  /** The cart as the customer saw it before converting. */
  items: { product_sku: string; quantity: number }[];
  /** The customer's cancel request, when the scenario had one: its HTTP status. */
  cancelStatus?: number;
}

export interface WorkloadRecord {
  converts: Convert[];
  /** Converts that were refused (open orders limit, locked cart): not accepted, so no outcome is owed. */
  refused: Record<string, number>;
  counters: { requests: number; retried: number };
  operations: Record<string, number>;
}

export function workload(baseUrl: (service: ServiceName) => string) {
  const record: WorkloadRecord = { converts: [], refused: {}, counters: { requests: 0, retried: 0 }, operations: {} };
  const api = (service: ServiceName) => client(baseUrl(service), record.counters);
  const did = (op: string) => (record.operations[op] = (record.operations[op] ?? 0) + 1);
  const refused = (why: string) => (record.refused[why] = (record.refused[why] ?? 0) + 1);

  async function setUp(customers: number, runId: string): Promise<string[]> {
    for (const p of PRODUCTS) {
      must(await api('products')('POST', '/products', { body: { sku: p.sku, name: `Fault ${p.sku}`, price: p.price } }), 201);
      must(await api('inventory')('POST', '/inventory', { body: { product_sku: p.sku, quantity: p.units } }), 201);
    }
    const ids: string[] = [];
    for (let i = 0; i < customers; i++) {
      const created = await api('customers')('POST', '/customers', {
        body: { name: `Customer ${i}`, email: `c${i}-${runId}@shopflow.test` },
      });
      must(created, 201);
      ids.push(created.body.id);
    }
    return ids;
  }

  /**
   * How long a customer waits before looking again: 300 ms, then half as long again each time, up to
   * 3 s, as a client app would. A fixed short poll from every customer at once would be most of the
   * machine's load, and the saga's work would wait behind it.
   */
  const pollDelay = (poll: number) => Math.min(3_000, 300 * 1.5 ** poll);

  /** One customer's session: `orders` accepted converts, or until `stopAt`. */
  async function shop(customer: string, orders: number, stopAt: number): Promise<void> {
    for (let placed = 0; placed < orders && Date.now() < stopAt;) {
      const scenario = pickScenario();
      if (!(await openCart(customer, stopAt))) return;
      for (const item of itemsFor(scenario)) {
        const added = await api('cart')('POST', '/cart/items', { customer, body: item });
        did('add item');
        if (added.status !== 200) refused(`add ${added.status}`);
      }
      const view = await api('cart')('GET', '/cart', { customer });
      if (!view.body?.items?.length) continue;
      const converted = await api('cart')('POST', '/cart/convert-to-order', {
        customer,
        idempotencyKey: randomUUID(),
        body: { shipping_address: address(scenario === 'undeliverable' ? '00000' : '10115') },
      });
      did('convert');
      if (converted.status !== 202) {
        refused(`convert ${converted.status} ${converted.body?.error?.code ?? ''}`.trim());
        await sleep(2_000);
        continue;
      }
      placed++;
      const convert: Convert = { customer, cartId: converted.body.cart_id, scenario, items: view.body.items.map(line) };
      record.converts.push(convert);
      if (scenario === 'cancel') convert.cancelStatus = await cancelWhenConfirmed(customer, convert.cartId);
    }
  }

  /** Waits until the customer may edit a cart (none open, or unlocked; a rejected cart is emptied first); false at `stopAt`. */
  async function openCart(customer: string, stopAt: number): Promise<boolean> {
    for (let poll = 0; Date.now() < stopAt; poll++) {
      const { body } = await api('cart')('GET', '/cart', { customer });
      const cart = body?.cart;
      if (!cart) return true;
      if (!cart.cart_locked) {
        if (body.items.length > 0) {
          await api('cart')('DELETE', '/cart', { customer });
          did('empty cart');
        }
        return true;
      }
      await sleep(pollDelay(poll));
    }
    return false;
  }

  async function cancelWhenConfirmed(customer: string, cartId: string): Promise<number | undefined> {
    const deadline = Date.now() + 60_000;
    for (let poll = 0; Date.now() < deadline; poll++) {
      const list = await api('orders')('GET', `/orders?cart_id=${cartId}`, { customer });
      const order = list.body?.data?.[0];
      if (order) {
        const cancelled = await api('orders')('POST', `/orders/${order.id}/cancel`, {
          customer,
          body: { reason: 'changed my mind' },
          idempotencyKey: `cancel-${order.id}`, // a retry after a lost answer gets the first 200, not a 409
        });
        did('cancel');
        return cancelled.status;
      }
      const cart = (await api('cart')('GET', '/cart', { customer })).body?.cart;
      if (cart?.id === cartId && cart.status === 'stock-unavailable') return undefined;
      await sleep(pollDelay(poll));
    }
    return undefined;
  }

  /** An admin restocks a product (PUT sets the available units); the answer is the row after the edit. */
  async function restock(sku: string, available: number): Promise<Answer> {
    did('restock');
    return api('inventory')('PUT', `/inventory/${sku}`, { body: { quantity: available } });
  }

  return { record, setUp, shop, restock, api };
}

function pickScenario(): Scenario {
  const r = Math.random();
  return r < 0.1 ? 'decline' : r < 0.2 ? 'undeliverable' : r < 0.32 ? 'cancel' : 'ship';
}

function itemsFor(scenario: Scenario): { product_sku: string; quantity: number }[] {
  if (scenario === 'decline') return [{ product_sku: 'FAULT-TV', quantity: 1 }];
  const cheap = PRODUCTS.filter((p) => p.sku !== 'FAULT-TV');
  const lines = 1 + Math.floor(Math.random() * 3);
  const chosen = [...cheap].sort(() => Math.random() - 0.5).slice(0, lines);
  return chosen.map((p) => ({ product_sku: p.sku, quantity: 1 + Math.floor(Math.random() * 3) }));
}

const address = (postal_code: string) => ({
  name: 'Fault Customer',
  line1: '1 Test Street',
  city: 'Berlin',
  postal_code,
  country: 'DE',
});
const line = (i: { product_sku: string; quantity: number }) => ({ product_sku: i.product_sku, quantity: i.quantity });

function must(answer: Answer, status: number): void {
  if (answer.status !== status) throw new Error(`set-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
}
