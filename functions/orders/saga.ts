import { trace } from '@opentelemetry/api';
import type { CancelCause } from '../../shared/events/catalog';
import type { Envelope } from '../../shared/events/envelope';
import type { Handler, Received } from '../../shared/messaging/consumer';
import type { UnitOfWork } from '../../shared/messaging/outbox';
import { producerOf } from '../../shared/topology';
import { cancelReasons, sagaStep, type OrderStatus, type SagaEvent } from './domain';
import { hasReached, hasStepFrom, lockOrder, recordTransition, setStatus, type Cause, type Order } from './store';

/** The trace id in a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
const traceIdOf = (env: Envelope) => env.traceparent?.split('-')[1];

/** An event as the cause of a step: its id and type, the service that produced it, its trace. */
export const eventCause = (event: Received<never> | Received<SagaEvent | 'stock-available'>): Cause => ({
  eventId: event.eventId,
  eventType: event.type,
  service: producerOf(event.type),
  traceId: traceIdOf(event.envelope),
});

/** A request (or a job) of the orders service itself as the cause of a step, with the current trace. */
export const ownCause = (request: string): Cause => ({
  request,
  service: 'orders',
  traceId: trace.getActiveSpan()?.spanContext().traceId,
});

/**
 * Cancels a locked order: status, history and order.cancelled in the caller's transaction. The
 * event tells inventory to return the stock, payments to refund what was captured and shipments to
 * cancel a booked pickup. The caller has checked that the order may be cancelled.
 */
export async function cancelOrder(
  { tx, emit }: UnitOfWork,
  order: Order,
  cancel: { cause: CancelCause; reason?: string; by: Cause; from?: OrderStatus },
): Promise<Order> {
  const from = cancel.from ?? order.status;
  const reason = cancel.reason ?? cancelReasons[cancel.cause];
  await setStatus(tx, order.id, 'cancelled', reason);
  const { id: order_id, cart_id, customer_id, items } = order;
  const emitted = await emit(
    'order.cancelled',
    {
      order_id,
      cart_id,
      customer_id,
      items,
      reason,
      cause: cancel.cause,
      previous_status: from === 'paid' ? 'paid' : 'confirmed',
    },
    { correlationId: order_id },
  );
  await recordTransition(tx, { orderId: order_id, from, to: 'cancelled', reason, cause: cancel.by, emittedEventId: emitted });
  return { ...order, status: 'cancelled', cancel_reason: reason };
}

/**
 * One saga event applied to its order through the rule table (domain.ts): move along, compensate
 * by cancelling, write a note into the history, or ignore a duplicate.
 */
export const advance: Handler<SagaEvent> = async (event, uow) => {
  const order = await lockOrder(uow.tx, event.payload.order_id);
  if (!order) throw new Error(`order ${event.payload.order_id} is not known yet`); // retried: its creation is on the way
  const step = sagaStep(order.status, event.type);
  const by = eventCause(event);
  if (step.kind === 'ignore') return;
  if (step.kind === 'note') {
    // each saga event happens once per order: a copy under another event id (re-keyed) writes nothing new
    if (await hasStepFrom(uow.tx, order.id, event.type)) return;
    if (step.unlessReached && (await hasReached(uow.tx, order.id, step.unlessReached))) return;
    await recordTransition(uow.tx, { orderId: order.id, from: order.status, to: order.status, reason: step.note, cause: by });
    return;
  }
  let from = order.status;
  if (step.via) {
    await recordTransition(uow.tx, { orderId: order.id, from, to: step.via, reason: `implied by ${event.type}`, cause: by });
    from = step.via;
  }
  if (step.kind === 'cancel') {
    const detail = 'reason' in event.payload ? `: ${event.payload.reason}` : '';
    await cancelOrder(uow, order, { cause: step.cause, reason: `${cancelReasons[step.cause]}${detail}`, by, from });
    return;
  }
  await setStatus(uow.tx, order.id, step.to);
  await recordTransition(uow.tx, { orderId: order.id, from, to: step.to, cause: by });
};
