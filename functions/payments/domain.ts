/**
 * The payment state machine, as a transition table: (status, what happened) → the next status,
 * the event to emit and the provider call to make. Pure: no I/O, no clock. Every combination
 * has an explicit rule; an input that does not fit (a duplicate, a late or contradictory
 * outcome) leaves the payment as it is.
 *
 *   pending ──submitted──▶ submitted ──charge_succeeded──▶ captured ──order_cancelled──▶ refund_pending ──refund_succeeded──▶ refunded
 *      │                       └──────charge_failed──────▶ failed
 *      └──order_cancelled──▶ cancelled (no charge made; a charge that succeeds anyway is refunded)
 */
export const paymentStatuses = ['pending', 'submitted', 'captured', 'failed', 'cancelled', 'refund_pending', 'refunded'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export type PaymentInput = 'submitted' | 'charge_succeeded' | 'charge_failed' | 'order_cancelled' | 'refund_succeeded';

export interface PaymentState {
  status: PaymentStatus;
  /** The order was cancelled: a charge that succeeds from now on is refunded, never reported as a success. */
  orderCancelled: boolean;
}

export interface Decision {
  status: PaymentStatus;
  orderCancelled: boolean;
  emit?: 'payment.succeeded' | 'payment.failed' | 'payment.refunded';
  /** Ask the provider to refund the captured charge. */
  refund?: boolean;
}

type Rule = (state: PaymentState) => Omit<Decision, 'orderCancelled'> & { orderCancelled?: boolean };
const stay: Rule = (s) => ({ status: s.status });

/** A captured charge for an order that is (or becomes) cancelled is refunded. */
const refundNow: Rule = () => ({ status: 'refund_pending', refund: true });

const table: Record<PaymentInput, Partial<Record<PaymentStatus, Rule>>> = {
  submitted: { pending: () => ({ status: 'submitted' }) },
  charge_succeeded: {
    pending: (s) => (s.orderCancelled ? refundNow(s) : { status: 'captured', emit: 'payment.succeeded' }),
    submitted: (s) => (s.orderCancelled ? refundNow(s) : { status: 'captured', emit: 'payment.succeeded' }),
    cancelled: refundNow,
  },
  charge_failed: {
    pending: (s) => ({ status: 'failed', ...(s.orderCancelled ? {} : { emit: 'payment.failed' as const }) }),
    submitted: (s) => ({ status: 'failed', ...(s.orderCancelled ? {} : { emit: 'payment.failed' as const }) }),
  },
  order_cancelled: {
    pending: () => ({ status: 'cancelled', orderCancelled: true }),
    submitted: () => ({ status: 'submitted', orderCancelled: true }),
    captured: () => ({ ...refundNow({ status: 'captured', orderCancelled: true }), orderCancelled: true }),
  },
  refund_succeeded: { refund_pending: () => ({ status: 'refunded', emit: 'payment.refunded' }) },
};

export function decide(state: PaymentState, input: PaymentInput): Decision {
  const rule = table[input][state.status] ?? stay;
  const decision = rule(state);
  return { ...decision, orderCancelled: decision.orderCancelled ?? (state.orderCancelled || input === 'order_cancelled') };
}

/** The payment changed in a way worth writing down (a duplicate or late input changes nothing). */
export const changes = (state: PaymentState, decision: Decision): boolean =>
  decision.status !== state.status || decision.orderCancelled !== state.orderCancelled || decision.refund === true;
