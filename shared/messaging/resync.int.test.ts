import { eventually, settle, startSystem, type TestSystem } from '../../test/support/harness';
import { losingFor } from '../../test/support/lose';
import { db } from '../db';
import { consumerFunctionName } from '../topology';
import { resyncSubscription } from './resync';

/** `npm run dlq -- resync`: a subscription brought back in step with the outbox. */
let system: TestSystem;

beforeAll(async () => {
  system = await startSystem(['products', 'cart', 'messaging']);
});
afterAll(() => system.stop());

const create = async (sku: string) =>
  expect((await system.http('products')('POST', '/products', { body: { sku, name: sku, price: 2 } })).status).toBe(201);
const inCart = async (skus: string[]) => (await db()('cart.products').whereIn('sku', skus)).length;

test('what the consumer never processed is published again, once; what it processed is not', async () => {
  await create('RESYNC-SEEN');
  await eventually(async () => (await inCart(['RESYNC-SEEN'])) === 1, 20_000, 'the first product in the cart');
  const lost = ['RESYNC-1', 'RESYNC-2', 'RESYNC-3'];
  await losingFor('cart', 'product.created', async () => {
    for (const sku of lost) await create(sku);
  });
  expect(await inCart(lost)).toBe(0);

  const consumer = consumerFunctionName('cart', 'product.created');
  expect(await resyncSubscription(consumer)).toEqual({ consumer, topic: 'product.created', republished: 3 });
  await eventually(async () => (await inCart(lost)) === 3, 20_000, 'the lost products in the cart');
  await settle();
  expect(await resyncSubscription(consumer)).toMatchObject({ republished: 0 });
  await expect(resyncSubscription('no-such-consumer')).rejects.toThrow(/not a consumer/);
});
