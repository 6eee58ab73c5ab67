import type { CancelCause } from '../../shared/events/catalog';

/** Pure order rules: the status machine, the saga's rules and totals. No I/O. */
export const orderStatuses = ['confirmed', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  confirmed: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: [],
  cancelled: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => transitions[from].includes(to);

/** Statuses in which notes and the shipping address may still change. */
export const editable: readonly OrderStatus[] = ['confirmed', 'paid'];

/** The order total in cents, from the price snapshot, with integer arithmetic only. */
export { totalCents } from '../../shared/money';

/** The saga's events that move an order, and what each does in each status. */
export type SagaEvent = 'payment.succeeded' | 'payment.failed' | 'payment.refunded' | 'shipment.scheduled' | 'shipment.failed';

export type SagaStep =
  /** Move along the happy path (`via`: a step whose event is still on its way, implied by this one). */
  | { kind: 'move'; to: OrderStatus; via?: OrderStatus }
  /** Compensate: cancel the order, which releases its stock and refunds what was captured. */
  | { kind: 'cancel'; cause: Exclude<CancelCause, 'requested' | 'payment_timeout'>; via?: OrderStatus }
  /**
   * Nothing changes, but the step is written into the history (e.g. a refund issued, a late payment),
   * unless the order already went through `unlessReached`: then the event only confirms a step its
   * history holds (a payment.succeeded that arrives after the shipment.failed which implied it).
   */
  | { kind: 'note'; note: string; unlessReached?: OrderStatus }
  /** A duplicate or a step already overtaken: nothing to do. */
  | { kind: 'ignore' };

const ignore: SagaStep = { kind: 'ignore' };

/**
 * The explicit rule for every (status, saga event). A shipment event can only exist after a
 * successful payment, so on a `confirmed` order it implies `paid` first (its payment.succeeded is
 * merely late). A payment that succeeds for a cancelled order is refunded by payments, and a
 * shipment booked for one is cancelled by shipments: the order stays cancelled.
 */
const saga: Record<SagaEvent, Record<OrderStatus, SagaStep>> = {
  'payment.succeeded': {
    confirmed: { kind: 'move', to: 'paid' },
    paid: ignore,
    shipped: ignore,
    cancelled: { kind: 'note', note: 'payment succeeded after the cancellation; payments refunds it', unlessReached: 'paid' },
  },
  'payment.failed': {
    confirmed: { kind: 'cancel', cause: 'payment_failed' },
    paid: ignore,
    shipped: ignore,
    cancelled: ignore,
  },
  'payment.refunded': {
    confirmed: { kind: 'note', note: 'refund issued' },
    paid: { kind: 'note', note: 'refund issued' },
    shipped: { kind: 'note', note: 'refund issued' },
    cancelled: { kind: 'note', note: 'refund issued' },
  },
  'shipment.scheduled': {
    confirmed: { kind: 'move', to: 'shipped', via: 'paid' },
    paid: { kind: 'move', to: 'shipped' },
    shipped: ignore,
    cancelled: { kind: 'note', note: 'shipment booked after the cancellation; shipments cancels it' },
  },
  'shipment.failed': {
    confirmed: { kind: 'cancel', cause: 'shipment_failed', via: 'paid' },
    paid: { kind: 'cancel', cause: 'shipment_failed' },
    shipped: ignore,
    cancelled: ignore,
  },
};

export const sagaStep = (status: OrderStatus, event: SagaEvent): SagaStep => saga[event][status];

/** What a person reads as the cancellation reason. */
export const cancelReasons: Record<CancelCause, string> = {
  requested: 'cancelled by request',
  payment_failed: 'the payment was declined',
  payment_timeout: 'no payment arrived in time',
  shipment_failed: 'the carrier could not ship the order',
};
