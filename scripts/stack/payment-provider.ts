import { createHmac, randomBytes } from 'node:crypto';
import { error, luck, startSandboxServer, type Reply, type SandboxServer } from './sandbox-http';

/**
 * The local payment provider sandbox, started by `npm run dev` and the tests like the SMTP sink.
 * It behaves like a real provider's test mode: charges and refunds are accepted as `pending` and
 * their outcome is delivered later to the webhook, HMAC-signed with the shared secret (header
 * `Payment-Signature: t=<unix>,v1=<hex>` over "<t>.<body>"), and re-sent with backoff until the
 * webhook answers 2xx. The outcome follows deterministic test rules on the amount:
 *   5,000.00 – 5,999.99  declined (`card_declined`)
 *   6,000.00 – 6,999.99  never answered (the charge stays pending: for the payment timeout)
 *   anything else        succeeds, except a configurable share declined for load runs (`declineRate`,
 *                        decided by the order reference, so a retry gets the same answer)
 */
export const DECLINED_AMOUNTS = { min: 5_000_00, max: 5_999_99 };
export const UNANSWERED_AMOUNTS = { min: 6_000_00, max: 6_999_99 };
const WEBHOOK_RETRY_MS = [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000];

export interface Charge {
  id: string;
  reference: string;
  amount_cents: number;
  status: 'pending' | 'succeeded' | 'failed';
  failure_reason: string | null;
  refunded_cents: number;
}

export interface Refund {
  id: string;
  charge: string;
  reference: string;
  amount_cents: number;
  status: 'pending' | 'succeeded';
}

export interface PaymentSandbox extends SandboxServer {
  charges: Map<string, Charge>;
  refunds: Map<string, Refund>;
  /** Webhook requests sent (including retries), for tests. */
  webhooksSent: number;
  webhookUrl: string | undefined;
  /** Extra delay before an outcome's webhook is first sent (a slow provider). */
  webhookDelayMs: number;
}

export async function startPaymentProvider(options: {
  apiKey: string;
  webhookSecret: string;
  webhookUrl?: string;
  port?: number;
  declineRate?: number;
  outcomeDelayMs?: number;
}): Promise<PaymentSandbox> {
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const outcomeDelay = options.outcomeDelayMs ?? 50;
  const id = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;

  const route = ({ method, path, body }: { method: string; path: string; body: Record<string, unknown> }): Reply => {
    const [, version, collection, ref] = path.split('/');
    if (version !== 'v1') return error(404, 'not_found', 'no such endpoint');
    if (method === 'POST' && collection === 'charges' && !ref) return createCharge(body);
    if (method === 'POST' && collection === 'refunds' && !ref) return createRefund(body);
    if (method === 'GET' && collection === 'charges' && ref) return found(charges.get(ref));
    if (method === 'GET' && collection === 'refunds' && ref) return found(refunds.get(ref));
    return error(404, 'not_found', 'no such endpoint');
  };
  const found = (thing: Charge | Refund | undefined): Reply =>
    thing ? { status: 200, body: thing } : error(404, 'not_found', 'no such object');

  function createCharge(body: Record<string, unknown>): Reply {
    const amount = body.amount_cents;
    const reference = body.reference;
    if (!Number.isInteger(amount) || (amount as number) <= 0 || typeof reference !== 'string') {
      return error(400, 'invalid_request', 'amount_cents (a positive integer) and reference are required');
    }
    const charge: Charge = {
      id: id('ch'),
      reference,
      amount_cents: amount as number,
      status: 'pending',
      failure_reason: null,
      refunded_cents: 0,
    };
    charges.set(charge.id, charge);
    const outcome = chargeOutcome(charge);
    if (outcome) later(() => settleCharge(charge, outcome));
    return { status: 201, body: charge };
  }

  function chargeOutcome(charge: Charge): Pick<Charge, 'status' | 'failure_reason'> | undefined {
    const within = (r: { min: number; max: number }) => charge.amount_cents >= r.min && charge.amount_cents <= r.max;
    if (within(UNANSWERED_AMOUNTS)) return undefined;
    if (within(DECLINED_AMOUNTS)) return { status: 'failed', failure_reason: 'card_declined' };
    if (luck(charge.reference) < (options.declineRate ?? 0)) return { status: 'failed', failure_reason: 'card_declined' };
    return { status: 'succeeded', failure_reason: null };
  }

  function settleCharge(charge: Charge, outcome: Pick<Charge, 'status' | 'failure_reason'>) {
    Object.assign(charge, outcome);
    const type = charge.status === 'succeeded' ? 'charge.succeeded' : 'charge.failed';
    void deliver({
      type,
      data: {
        id: charge.id,
        reference: charge.reference,
        amount_cents: charge.amount_cents,
        failure_reason: charge.failure_reason,
      },
    });
  }

  function createRefund(body: Record<string, unknown>): Reply {
    const charge = typeof body.charge === 'string' ? charges.get(body.charge) : undefined;
    if (!charge || charge.status !== 'succeeded') return error(400, 'invalid_request', 'only a succeeded charge can be refunded');
    const amount = body.amount_cents;
    if (
      !Number.isInteger(amount) ||
      (amount as number) <= 0 ||
      (amount as number) > charge.amount_cents - charge.refunded_cents
    ) {
      return error(400, 'invalid_request', 'the refund exceeds what is left of the charge');
    }
    charge.refunded_cents += amount as number;
    const refund: Refund = {
      id: id('re'),
      charge: charge.id,
      reference: charge.reference,
      amount_cents: amount as number,
      status: 'pending',
    };
    refunds.set(refund.id, refund);
    later(() => {
      refund.status = 'succeeded';
      void deliver({
        type: 'refund.succeeded',
        data: { id: refund.id, charge: charge.id, reference: refund.reference, amount_cents: refund.amount_cents },
      });
    });
    return { status: 201, body: refund };
  }

  const later = (work: () => void) => setTimeout(work, outcomeDelay + sandbox.webhookDelayMs).unref();

  /** Sends one event to the webhook, signed, retrying with backoff until it answers 2xx or the retries run out. */
  async function deliver(event: { type: string; data: Record<string, unknown> }) {
    const body = JSON.stringify({ id: id('evt'), type: event.type, created: Math.floor(Date.now() / 1000), data: event.data });
    for (const wait of [0, ...WEBHOOK_RETRY_MS]) {
      if (wait) await new Promise((r) => setTimeout(r, wait).unref());
      if (!sandbox.webhookUrl) continue;
      sandbox.webhooksSent += 1;
      const t = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', options.webhookSecret).update(`${t}.${body}`).digest('hex');
      try {
        const res = await fetch(sandbox.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'payment-signature': `t=${t},v1=${signature}` },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        if (res.ok) return;
      } catch {
        // the webhook endpoint is down: retried below, like a real provider does
      }
    }
  }

  const server = await startSandboxServer({ name: 'payment provider', apiKey: options.apiKey, port: options.port, route });
  const sandbox: PaymentSandbox = Object.assign(server, {
    charges,
    refunds,
    webhooksSent: 0,
    webhookUrl: options.webhookUrl,
    webhookDelayMs: 0,
  });
  return sandbox;
}
