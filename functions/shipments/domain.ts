/**
 * The shipment state machine as a transition table: (status, what happened) → next status and
 * the event to emit. Pure. A shipment is created `pending` when its order is paid, or directly
 * `cancelled` when the order's cancellation arrives first (so a late payment ships nothing).
 *
 *   pending ──carrier_accepted──▶ scheduled ──order_cancelled──▶ cancelled (the carrier is told)
 *      ├──carrier_refused──▶ failed
 *      └──order_cancelled──▶ cancelled
 */
export const shipmentStatuses = ['pending', 'scheduled', 'failed', 'cancelled'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];
export type ShipmentInput = 'carrier_accepted' | 'carrier_refused' | 'order_cancelled';

export interface ShipmentDecision {
  status: ShipmentStatus;
  emit?: 'shipment.scheduled' | 'shipment.failed';
  /** Tell the carrier to cancel the pickup it accepted. */
  cancelAtCarrier?: boolean;
}

const table: Record<ShipmentInput, Partial<Record<ShipmentStatus, ShipmentDecision>>> = {
  carrier_accepted: { pending: { status: 'scheduled', emit: 'shipment.scheduled' } },
  carrier_refused: { pending: { status: 'failed', emit: 'shipment.failed' } },
  order_cancelled: {
    pending: { status: 'cancelled' },
    scheduled: { status: 'cancelled', cancelAtCarrier: true },
  },
};

/** Anything not in the table (a duplicate, a late answer) leaves the shipment as it is. */
export const decideShipment = (status: ShipmentStatus, input: ShipmentInput): ShipmentDecision =>
  table[input][status] ?? { status };
