import { z } from 'zod';
import { config, requiredSecret } from '../../shared/config';
import { db } from '../../shared/db';
import { badRequest, conflict, notFound, unauthorized } from '../../shared/errors';
import { uuid } from '../../shared/events/fields';
import { httpApi, parse } from '../../shared/http/api';
import { visibleCustomer, type Caller } from '../../shared/http/identity';
import { inTransaction } from '../../shared/messaging/outbox';
import { fromCents } from '../../shared/money';
import { apply } from './payments';
import { findPaymentOfOrder, lockPaymentOfOrder, recordWebhookEvent, type Payment } from './store';
import { SIGNATURE_HEADER, verifySignature, webhookEvent, type WebhookEvent } from './webhook';

const WEBHOOK_PATH = '/payments/webhook';
export const orderParam = z.object({ order_id: uuid });

/** A payment as its owner sees it; an admin also sees the provider's last error. */
function view(p: Payment, caller: Caller) {
  return {
    id: p.id,
    order_id: p.order_id,
    customer_id: p.customer_id,
    amount: fromCents(p.amount_cents),
    status: p.status,
    order_cancelled: p.order_cancelled,
    charge_ref: p.charge_ref,
    refund_ref: p.refund_ref,
    failure_reason: p.failure_reason,
    attempts: p.attempts,
    next_attempt_at: p.next_attempt_at,
    ...(caller.role === 'admin' ? { last_error: p.last_error } : {}),
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

/** Checks the signature over the raw bytes first; only then is the body read as an event. */
function authenticWebhook(rawBody: Buffer | undefined, signature: string | undefined): WebhookEvent {
  const c = config();
  const problem = verifySignature(
    rawBody ?? Buffer.alloc(0),
    signature,
    requiredSecret('PAYMENT_WEBHOOK_SECRET'),
    Math.floor(Date.now() / 1000),
    c.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
  );
  if (problem) throw unauthorized(`webhook signature ${problem}`);
  let json: unknown;
  try {
    json = JSON.parse(rawBody!.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', 'webhook body is not valid JSON');
  }
  return parse(webhookEvent, json);
}

const inputOf = {
  'charge.succeeded': 'charge_succeeded',
  'charge.failed': 'charge_failed',
  'refund.succeeded': 'refund_succeeded',
} as const;

/**
 * Records one provider event and applies it, in one transaction with the events it causes. A
 * replayed event id changes nothing; an event for a payment not committed yet is a 409, which the
 * provider retries. The webhook never calls the provider: a refund it makes necessary is parked
 * for the reconciler.
 */
async function receive(event: WebhookEvent): Promise<{ received: true; duplicate: boolean }> {
  return inTransaction(
    'payments',
    async (uow) => {
      const payment = await lockPaymentOfOrder(uow.tx, event.data.reference);
      if (!payment) throw conflict('unknown_payment', 'no payment for this reference yet; retry later');
      if (event.data.amount_cents !== Number(payment.amount_cents)) {
        throw badRequest('amount_mismatch', 'the event amount does not match the payment');
      }
      if (!(await recordWebhookEvent(uow.tx, { id: event.id, type: event.type, paymentId: payment.id }))) {
        return { received: true as const, duplicate: true };
      }
      await apply(uow, payment, inputOf[event.type], {
        ref: event.data.id,
        reason: event.data.failure_reason ?? undefined,
        mayCallProvider: false,
      });
      return { received: true as const, duplicate: false };
    },
    { correlationId: event.data.reference, causationId: event.id },
  );
}

export const paymentsApi = httpApi(
  'payments',
  (r) => {
    r.get('/payments/:order_id', async (req, res) => {
      const { order_id } = parse(orderParam, req.params);
      const payment = await findPaymentOfOrder(db(), order_id.toLowerCase(), visibleCustomer(req.caller));
      if (!payment) throw notFound('payment');
      res.json(view(payment, req.caller));
    });
    r.post(WEBHOOK_PATH, async (req, res) => {
      const event = authenticWebhook(req.rawBody, req.get(SIGNATURE_HEADER));
      res.json(await receive(event));
    });
  },
  {},
  { publicPaths: [WEBHOOK_PATH] },
);
