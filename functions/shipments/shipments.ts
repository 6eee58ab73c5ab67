import type { UnitOfWork } from '../../shared/messaging/outbox';
import { isProviderOutage, parkedAfter } from '../../shared/providers/parked';
import { carrier, type Booking } from './carrier';
import { decideShipment, type ShipmentInput } from './domain';
import { addressOf, updateShipment, type Shipment } from './store';

/**
 * The shipments service's use cases over one locked shipment row: book it with the carrier (an
 * unreachable carrier parks the work for the reconciler), and apply what happened through the
 * state machine, writing the change and its event in the caller's transaction.
 */
export async function book(uow: UnitOfWork, shipment: Shipment): Promise<Shipment> {
  const address = await addressOf(uow.tx, shipment.order_id);
  // wait for the missing step: the payment's event overtook order.created, which carries the address
  if (address === undefined) throw new Error(`order ${shipment.order_id} is not known to shipments yet; retrying`);
  let booking: Booking;
  try {
    booking = await carrier().book({ orderId: shipment.order_id, address });
  } catch (error) {
    if (!isProviderOutage(error)) throw error;
    const parked = parkedAfter(error, shipment.attempts, { shipment_id: shipment.id, order_id: shipment.order_id });
    await updateShipment(uow.tx, shipment.id, parked);
    return { ...shipment, ...parked };
  }
  if (booking.outcome === 'refused') return apply(uow, shipment, 'carrier_refused', { failure_reason: booking.reason });
  return apply(uow, shipment, 'carrier_accepted', {
    carrier: booking.carrier,
    tracking_number: booking.trackingNumber,
    carrier_ref: booking.ref,
  });
}

export async function apply(
  uow: UnitOfWork,
  shipment: Shipment,
  input: ShipmentInput,
  facts: Partial<Pick<Shipment, 'carrier' | 'tracking_number' | 'carrier_ref' | 'failure_reason'>> = {},
): Promise<Shipment> {
  const decision = decideShipment(shipment.status, input);
  if (decision.status === shipment.status) return shipment;
  // the carrier is told first: if it cannot be reached, the cancellation is retried with the event
  if (decision.cancelAtCarrier && shipment.carrier_ref) await carrier().cancel(shipment.carrier_ref);
  const next: Shipment = { ...shipment, ...facts, status: decision.status, next_attempt_at: null };
  await updateShipment(uow.tx, shipment.id, { ...facts, status: next.status, next_attempt_at: null });
  const common = { shipment_id: next.id, order_id: next.order_id, cart_id: next.cart_id, customer_id: next.customer_id };
  const correlation = { correlationId: next.order_id, causationId: next.caused_by_event_id ?? undefined };
  if (decision.emit === 'shipment.scheduled') {
    await uow.emit(
      'shipment.scheduled',
      { ...common, carrier: next.carrier ?? 'carrier', tracking_number: next.tracking_number ?? next.id },
      correlation,
    );
  }
  if (decision.emit === 'shipment.failed') {
    await uow.emit(
      'shipment.failed',
      { ...common, reason: next.failure_reason ?? 'the carrier refused the shipment' },
      correlation,
    );
  }
  return next;
}
