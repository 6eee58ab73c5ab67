import type { Knex } from 'knex';
import type { PaymentStatus } from './domain';

const PAYMENTS = 'payments.payments';
const WEBHOOK_EVENTS = 'payments.webhook_events';

export interface Payment {
  id: string;
  order_id: string;
  cart_id: string;
  customer_id: string;
  amount_cents: string;
  status: PaymentStatus;
  order_cancelled: boolean;
  charge_ref: string | null;
  refund_ref: string | null;
  failure_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  /** The order.created that started this payment: every event the payment emits continues its chain. */
  caused_by_event_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export type NewPayment = Pick<Payment, 'id' | 'order_id' | 'cart_id' | 'customer_id' | 'status' | 'caused_by_event_id'> & {
  amount_cents: number;
  order_cancelled?: boolean;
};

/** Inserts the order's one payment; false when the order already has one (the unique order_id decides). */
export async function insertPayment(tx: Knex.Transaction, payment: NewPayment): Promise<boolean> {
  const inserted = await tx(PAYMENTS)
    .insert({ ...payment, next_attempt_at: payment.status === 'pending' ? tx.fn.now() : null })
    .onConflict('order_id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** The order's payment, locked for the rest of the transaction (concurrent changes queue behind). */
export const lockPaymentOfOrder = (tx: Knex.Transaction, orderId: string): Promise<Payment | undefined> =>
  tx(PAYMENTS).where({ order_id: orderId }).forUpdate().first();

export const findPaymentOfOrder = (knex: Knex, orderId: string, customerId?: string): Promise<Payment | undefined> =>
  knex(PAYMENTS)
    .where({ order_id: orderId, ...(customerId ? { customer_id: customerId } : {}) })
    .first();

export async function updatePayment(tx: Knex.Transaction, id: string, changes: Partial<Payment>): Promise<void> {
  await tx(PAYMENTS)
    .where({ id })
    .update({ ...changes, updated_at: tx.fn.now() });
}

/** Records a provider webhook event by its id; false when it was recorded before (a replay). */
export async function recordWebhookEvent(
  tx: Knex.Transaction,
  event: { id: string; type: string; paymentId: string },
): Promise<boolean> {
  const inserted = await tx(WEBHOOK_EVENTS)
    .insert({ id: event.id, type: event.type, payment_id: event.paymentId })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}
