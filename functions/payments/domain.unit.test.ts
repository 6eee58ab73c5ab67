import { changes, decide, paymentStatuses, type PaymentInput, type PaymentState } from './domain';

const at = (status: PaymentState['status'], orderCancelled = false): PaymentState => ({ status, orderCancelled });

describe('payment state machine', () => {
  test('a charge accepted and then confirmed is captured once, and reported as a success', () => {
    const submitted = decide(at('pending'), 'submitted');
    expect(submitted).toMatchObject({ status: 'submitted' });
    expect(decide(at('submitted'), 'charge_succeeded')).toEqual({
      status: 'captured',
      emit: 'payment.succeeded',
      orderCancelled: false,
    });
    expect(decide(at('captured'), 'charge_succeeded')).toEqual({ status: 'captured', orderCancelled: false });
  });

  test('a declined charge fails and says so, unless the order is cancelled already', () => {
    expect(decide(at('submitted'), 'charge_failed')).toMatchObject({ status: 'failed', emit: 'payment.failed' });
    expect(decide(at('submitted', true), 'charge_failed').emit).toBeUndefined();
  });

  test('a cancellation refunds a captured payment once, and a later success for a cancelled order is refunded, never reported', () => {
    expect(decide(at('captured'), 'order_cancelled')).toEqual({ status: 'refund_pending', refund: true, orderCancelled: true });
    expect(decide(at('refund_pending', true), 'order_cancelled')).toEqual({ status: 'refund_pending', orderCancelled: true });
    expect(decide(at('submitted', true), 'charge_succeeded')).toEqual({
      status: 'refund_pending',
      refund: true,
      orderCancelled: true,
    });
    expect(decide(at('cancelled', true), 'charge_succeeded')).toMatchObject({ status: 'refund_pending', refund: true });
    expect(decide(at('refund_pending', true), 'refund_succeeded')).toMatchObject({
      status: 'refunded',
      emit: 'payment.refunded',
    });
    expect(decide(at('refunded', true), 'refund_succeeded')).toEqual({ status: 'refunded', orderCancelled: true });
  });

  test('a cancellation before any charge cancels without calling the provider; one while a charge is under way waits for it', () => {
    expect(decide(at('pending'), 'order_cancelled')).toEqual({ status: 'cancelled', orderCancelled: true });
    expect(decide(at('submitted'), 'order_cancelled')).toEqual({ status: 'submitted', orderCancelled: true });
  });

  test('every input in every status has a rule: nothing emits twice, and a terminal status never moves back', () => {
    const inputs: PaymentInput[] = ['submitted', 'charge_succeeded', 'charge_failed', 'order_cancelled', 'refund_succeeded'];
    for (const status of paymentStatuses) {
      for (const cancelled of [false, true]) {
        for (const input of inputs) {
          const d = decide(at(status, cancelled), input);
          expect(paymentStatuses).toContain(d.status);
          if (['failed', 'refunded'].includes(status)) expect(d.status).toBe(status);
          if (d.emit) expect(changes(at(status, cancelled), d)).toBe(true);
          if (cancelled) expect(d.emit).not.toBe('payment.succeeded');
        }
      }
    }
  });
});
