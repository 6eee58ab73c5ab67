import type { Knex } from 'knex';
import type { ShippingAddress } from '../../shared/events/fields';
import { orderWorkTable } from '../../shared/providers/order-work';
import type { ShipmentStatus } from './domain';

const SHIPMENTS = 'shipments.shipments';
const ADDRESSES = 'shipments.addresses';

export interface Shipment {
  id: string;
  order_id: string;
  cart_id: string;
  customer_id: string;
  status: ShipmentStatus;
  carrier: string | null;
  tracking_number: string | null;
  carrier_ref: string | null;
  failure_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  /** The payment.succeeded (or order.cancelled) that started this shipment: its events continue that chain. */
  caused_by_event_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const shipments = orderWorkTable<Shipment>(SHIPMENTS);
/** The order's one shipment (false when it has one already), locked, read by its owner, changed. */
export const insertShipment = shipments.insert;
export const lockShipmentOfOrder = shipments.lockOfOrder;
export const findShipmentOfOrder = shipments.findOfOrder;
export const updateShipment = shipments.update;

/** The newest shipping address learnt from order.updated (an older version never overwrites a newer one). */
export async function saveAddress(
  tx: Knex.Transaction,
  entry: { orderId: string; customerId: string; address: ShippingAddress | null; version: number },
): Promise<void> {
  await tx.raw(
    `insert into ${ADDRESSES} (order_id, customer_id, shipping_address, version) values (?, ?, ?, ?)
     on conflict (order_id) do update set shipping_address = excluded.shipping_address, version = excluded.version
     where ${ADDRESSES}.version < excluded.version`,
    [entry.orderId, entry.customerId, entry.address === null ? null : JSON.stringify(entry.address), entry.version],
  );
}

/** The order's shipping address: null when it has none, undefined when its order.created has not arrived yet. */
export async function addressOf(knex: Knex, orderId: string): Promise<ShippingAddress | null | undefined> {
  const row = await knex(ADDRESSES).where({ order_id: orderId }).first('shipping_address');
  return row ? ((row.shipping_address as ShippingAddress | null) ?? null) : undefined;
}
