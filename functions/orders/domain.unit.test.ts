import { canTransition, orderStatuses, sagaStep, totalCents, type SagaEvent } from './domain';

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

  test('the saga moves an order along, compensates, and never revives a cancelled or shipped one', () => {
    expect(sagaStep('confirmed', 'payment.succeeded')).toEqual({ kind: 'move', to: 'paid' });
    expect(sagaStep('paid', 'shipment.scheduled')).toEqual({ kind: 'move', to: 'shipped' });
    expect(sagaStep('confirmed', 'payment.failed')).toEqual({ kind: 'cancel', cause: 'payment_failed' });
    expect(sagaStep('paid', 'shipment.failed')).toEqual({ kind: 'cancel', cause: 'shipment_failed' });
    expect(sagaStep('cancelled', 'payment.succeeded')).toMatchObject({ kind: 'note', unlessReached: 'paid' });
    const events: SagaEvent[] = [
      'payment.succeeded',
      'payment.failed',
      'payment.refunded',
      'shipment.scheduled',
      'shipment.failed',
    ];
    for (const event of events) {
      for (const status of ['cancelled', 'shipped'] as const) {
        expect(['note', 'ignore']).toContain(sagaStep(status, event).kind);
      }
    }
  });

  test('a shipment event that overtakes its payment implies the payment first', () => {
    expect(sagaStep('confirmed', 'shipment.scheduled')).toEqual({ kind: 'move', to: 'shipped', via: 'paid' });
    expect(sagaStep('confirmed', 'shipment.failed')).toEqual({ kind: 'cancel', cause: 'shipment_failed', via: 'paid' });
  });
});
