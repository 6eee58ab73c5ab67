import { checkoutProblem, MAX_LINES, openOrdersProblem } from './domain';

const item = (product_sku: string, quantity = 1, unit_price = 1) => ({ product_sku, quantity, unit_price });
const live = (...skus: string[]) => new Set(skus);
const limits = { maxUnitsPerOrder: 10 };

describe('cart domain', () => {
  test('a cart of live products within the limits can be ordered', () => {
    expect(checkoutProblem([item('A', 2, 9.99), item('B')], live('A', 'B'), limits)).toBeUndefined();
  });

  test('more lines than an order carries is a problem', () => {
    const items = Array.from({ length: MAX_LINES + 1 }, (_, i) => item(`S${i}`));
    const many = { maxUnitsPerOrder: 1000 };
    expect(checkoutProblem(items, live(...items.map((i) => i.product_sku)), many)?.code).toBe('too_many_items');
  });

  test('more units than an order may hold, over all lines, is a problem; exactly the limit is not', () => {
    expect(checkoutProblem([item('A', 6), item('B', 5)], live('A', 'B'), limits)?.code).toBe('too_many_units');
    expect(checkoutProblem([item('A', 5), item('B', 5)], live('A', 'B'), limits)).toBeUndefined();
  });

  test('a total above the largest order amount is a problem, one cent below it is not', () => {
    expect(checkoutProblem([item('A', 2, 60_000_000)], live('A'), limits)?.code).toBe('cart_total_limit');
    expect(checkoutProblem([item('A', 1, 99_999_999.99), item('B', 1, 0.01)], live('A', 'B'), limits)).toBeUndefined();
  });

  test('products deleted from the catalog are named', () => {
    expect(checkoutProblem([item('A'), item('GONE')], live('A'), limits)).toMatchObject({
      code: 'unavailable_products',
      details: ['GONE'],
    });
  });

  test('a customer at the open-orders limit may not order again; one below it may', () => {
    expect(openOrdersProblem(3, 3)).toMatch(/at most 3 orders/);
    expect(openOrdersProblem(2, 3)).toBeUndefined();
  });
});
