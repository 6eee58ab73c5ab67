import { aggregateId } from './aggregate';

describe('aggregate id of an event payload', () => {
  test('given an order event, then the order id comes before the cart and customer ids', () => {
    expect(aggregateId({ order_id: 'o', cart_id: 'c', customer_id: 'u' })).toBe('o');
  });

  test('given a cart event, a product event or a notification, then their own id', () => {
    expect(aggregateId({ cart_id: 'c', customer_id: 'u', items: [] })).toBe('c');
    expect(aggregateId({ sku: 'SKU-1', version: 2 })).toBe('SKU-1');
    expect(aggregateId({ notification_id: 'n', customer_id: 'u' })).toBe('n');
  });

  test('given a payload without an id, then none', () => {
    expect(aggregateId({ reason: 'x' })).toBeUndefined();
    expect(aggregateId(undefined)).toBeUndefined();
  });
});
