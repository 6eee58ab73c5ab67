import { canTransition, orderStatuses, totalCents } from './domain';

describe('order domain', () => {
  test('orders move confirmed → paid → shipped, and cancel only before shipping', () => {
    expect(canTransition('confirmed', 'paid')).toBe(true);
    expect(canTransition('paid', 'shipped')).toBe(true);
    expect(canTransition('shipped', 'cancelled')).toBe(false);
    expect(canTransition('cancelled', 'cancelled')).toBe(false);
    expect(canTransition('confirmed', 'shipped')).toBe(false);
    expect(orderStatuses.filter((s) => canTransition(s, 'cancelled'))).toEqual(['confirmed', 'paid']);
  });

  test('the total is exact in cents where float arithmetic would not be', () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(
      totalCents([
        { quantity: 3, unit_price: 0.1 },
        { quantity: 1, unit_price: 0.2 },
      ]),
    ).toBe(50);
    expect(totalCents([{ quantity: 7, unit_price: 1299.99 }])).toBe(909993);
  });
});
