import type { UnitOfWork } from '../../shared/messaging/outbox';
import { config } from '../../shared/config';
import { fromCents } from '../../shared/money';
import { isProviderOutage, parkedAfter } from '../../shared/providers/parked';
import { changes, decide, type PaymentInput } from './domain';
import { PaymentRefused } from './http-provider';
import { paymentProvider, type ChargeOutcome, type RefundOutcome } from './provider';
import { updatePayment, type Payment } from './store';

/**
 * The payments service's use cases over one locked payment row: apply what happened through the
 * state machine (domain.ts), write the change and its event in the caller's transaction, and talk
 * to the provider when the machine says so. An unreachable provider parks the work for the
 * reconciler (shared/providers/parked.ts); nothing is thrown back to Pub/Sub for it.
 */
export async function apply(
  uow: UnitOfWork,
  payment: Payment,
  input: PaymentInput,
  details: { ref?: string; reason?: string; mayCallProvider?: boolean } = {},
): Promise<Payment> {
  const state = { status: payment.status, orderCancelled: payment.order_cancelled };
  const decision = decide(state, input);
  if (!changes(state, decision)) return payment;
  const next: Payment = {
    ...payment,
    status: decision.status,
    order_cancelled: decision.orderCancelled,
    ...(input === 'charge_succeeded' || input === 'submitted' ? { charge_ref: details.ref ?? payment.charge_ref } : {}),
    ...(input === 'refund_succeeded' ? { refund_ref: details.ref ?? payment.refund_ref } : {}),
    ...(input === 'charge_failed' ? { failure_reason: details.reason ?? 'declined' } : {}),
    ...waiting(decision.status),
  };
  const { id, created_at: _created, updated_at: _updated, ...changed } = next;
  await updatePayment(uow.tx, id, changed);
  if (decision.emit) await emitOutcome(uow, next, decision.emit);
  if (decision.refund && details.mayCallProvider !== false) return requestRefund(uow, next);
  return next;
}

/** Schedules the reconciler's next look at a payment that now waits on the provider. */
function waiting(status: Payment['status']): Partial<Payment> {
  if (status === 'submitted') {
    return {
      next_attempt_at: new Date(Date.now() + config().PAYMENT_WEBHOOK_GRACE_SECONDS * 1000),
      attempts: 0,
      last_error: null,
    };
  }
  if (status === 'refund_pending') return { next_attempt_at: new Date(), attempts: 0, last_error: null };
  return { next_attempt_at: null };
}

async function emitOutcome(uow: UnitOfWork, p: Payment, event: 'payment.succeeded' | 'payment.failed' | 'payment.refunded') {
  const common = {
    payment_id: p.id,
    order_id: p.order_id,
    cart_id: p.cart_id,
    customer_id: p.customer_id,
    amount: fromCents(p.amount_cents),
  };
  const correlation = { correlationId: p.order_id, causationId: p.caused_by_event_id ?? undefined };
  if (event === 'payment.succeeded') await uow.emit(event, { ...common, provider_ref: p.charge_ref ?? p.id }, correlation);
  if (event === 'payment.failed') await uow.emit(event, { ...common, reason: p.failure_reason ?? 'declined' }, correlation);
  if (event === 'payment.refunded') await uow.emit(event, { ...common, refund_ref: p.refund_ref ?? p.id }, correlation);
}

/** Asks the provider to charge the order (idempotent by order id) and applies what it already knows. */
export async function requestCharge(uow: UnitOfWork, payment: Payment): Promise<Payment> {
  let outcome: ChargeOutcome;
  try {
    outcome = await paymentProvider().charge({ orderId: payment.order_id, amountCents: Number(payment.amount_cents) });
  } catch (error) {
    if (error instanceof PaymentRefused) return apply(uow, payment, 'charge_failed', { reason: error.message });
    return park(uow, payment, error);
  }
  return applyCharge(uow, payment, outcome);
}

export function applyCharge(uow: UnitOfWork, payment: Payment, outcome: ChargeOutcome): Promise<Payment> {
  if (outcome.status === 'pending') return apply(uow, payment, 'submitted', { ref: outcome.ref });
  if (outcome.status === 'succeeded') return apply(uow, payment, 'charge_succeeded', { ref: outcome.ref });
  return apply(uow, payment, 'charge_failed', { ref: outcome.ref, reason: outcome.reason });
}

/** Asks the provider to refund the captured charge in full (idempotent by payment id). */
export async function requestRefund(uow: UnitOfWork, payment: Payment): Promise<Payment> {
  let outcome: RefundOutcome;
  try {
    outcome = await paymentProvider().refund({
      paymentId: payment.id,
      chargeRef: payment.charge_ref ?? '',
      amountCents: Number(payment.amount_cents),
    });
  } catch (error) {
    return park(uow, payment, error);
  }
  return applyRefund(uow, payment, outcome);
}

async function applyRefund(uow: UnitOfWork, payment: Payment, outcome: RefundOutcome): Promise<Payment> {
  if (outcome.status === 'succeeded') return apply(uow, payment, 'refund_succeeded', { ref: outcome.ref });
  const next = { ...payment, refund_ref: outcome.ref, ...waiting('submitted') };
  await updatePayment(uow.tx, payment.id, { refund_ref: next.refund_ref, next_attempt_at: next.next_attempt_at, attempts: 0 });
  return next;
}

/**
 * The reconciler's step for one due payment: submit a parked charge, look up a charge whose webhook
 * is overdue, or submit / look up a refund.
 */
export async function reconcile(uow: UnitOfWork, payment: Payment): Promise<Payment> {
  const provider = paymentProvider();
  try {
    if (payment.status === 'pending') return await requestCharge(uow, payment);
    if (payment.status === 'submitted' && payment.charge_ref) {
      const outcome = await provider.chargeStatus(payment.charge_ref);
      if (outcome.status === 'pending') return await stillWaiting(uow, payment);
      return await applyCharge(uow, payment, outcome);
    }
    if (payment.status === 'refund_pending') {
      if (!payment.refund_ref) return await requestRefund(uow, payment);
      const outcome = await provider.refundStatus(payment.refund_ref);
      if (outcome.status === 'pending') return await stillWaiting(uow, payment);
      return await applyRefund(uow, payment, outcome);
    }
  } catch (error) {
    return park(uow, payment, error);
  }
  return payment;
}

/** The provider has no outcome yet: look again later, with backoff, surfaced past the bound. */
const stillWaiting = (uow: UnitOfWork, payment: Payment) =>
  park(uow, payment, new Error(`the provider has no outcome yet for ${payment.status} payment ${payment.id}`), true);

async function park(uow: UnitOfWork, payment: Payment, error: unknown, waitingOnly = false): Promise<Payment> {
  if (!waitingOnly && !isProviderOutage(error) && !(error instanceof PaymentRefused)) throw error;
  const parked = parkedAfter(error, payment.attempts, {
    payment_id: payment.id,
    order_id: payment.order_id,
    status: payment.status,
  });
  await updatePayment(uow.tx, payment.id, parked);
  return { ...payment, ...parked };
}
