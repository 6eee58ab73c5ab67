import type { Knex } from 'knex';
import { orderWorkTable } from '../../shared/providers/order-work';
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

const payments = orderWorkTable<Payment>(PAYMENTS);
/** The order's one payment (false when it has one already), locked, read by its owner, changed. */
export const insertPayment = (tx: Knex.Transaction, payment: NewPayment) =>
  payments.insert(tx, { ...payment, amount_cents: String(payment.amount_cents) });
export const lockPaymentOfOrder = payments.lockOfOrder;
export const findPaymentOfOrder = payments.findOfOrder;
export const updatePayment = payments.update;

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
