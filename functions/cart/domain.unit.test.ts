import { checkoutProblem, MAX_LINES } from './domain';

const item = (product_sku: string, quantity = 1, unit_price = 1) => ({ product_sku, quantity, unit_price });
const live = (...skus: string[]) => new Set(skus);

describe('cart domain', () => {
  test('a cart of live products within the limits can be ordered', () => {
    expect(checkoutProblem([item('A', 2, 9.99), item('B')], live('A', 'B'))).toBeUndefined();
  });

  test('more lines than an order carries is a problem', () => {
    const items = Array.from({ length: MAX_LINES + 1 }, (_, i) => item(`S${i}`));
    expect(checkoutProblem(items, live(...items.map((i) => i.product_sku)))?.code).toBe('too_many_items');
  });

  test('a total above the largest order amount is a problem, one cent below it is not', () => {
    expect(checkoutProblem([item('A', 2, 60_000_000)], live('A'))?.code).toBe('cart_total_limit');
    expect(checkoutProblem([item('A', 1, 99_999_999.99), item('B', 1, 0.01)], live('A', 'B'))).toBeUndefined();
  });

  test('products deleted from the catalog are named', () => {
    expect(checkoutProblem([item('A'), item('GONE')], live('A'))).toMatchObject({
      code: 'unavailable_products',
      details: ['GONE'],
    });
  });
});
