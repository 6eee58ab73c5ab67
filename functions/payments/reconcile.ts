import { reconcileDue } from '../../shared/providers/reconciler';
import { reconcile } from './payments';
import type { Payment } from './store';

/**
 * The payments reconciler (a scheduled job): every payment whose provider work is due — a charge
 * parked during an outage, a charge or refund whose webhook is overdue, a refund a webhook made
 * necessary — is re-driven, each in its own transaction with the events it causes.
 */
export const reconcilePayments = () =>
  reconcileDue<Payment>({
    service: 'payments',
    table: 'payments.payments',
    statuses: ['pending', 'submitted', 'refund_pending'],
    step: reconcile,
  });
