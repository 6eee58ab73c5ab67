import { startCarrier, UNDELIVERABLE_POSTAL_CODE, type CarrierSandbox } from './carrier';
import { DECLINED_AMOUNTS, startPaymentProvider, UNANSWERED_AMOUNTS, type PaymentSandbox } from './payment-provider';
import { randomBytes } from 'node:crypto';
import { formatCents } from '../../shared/money';

/**
 * The external providers' local sandboxes for the dev stack and the tests: a payment provider and
 * a carrier, unless PAYMENT_PROVIDER_URL / CARRIER_URL name real ones (`useConfigured`). Sets
 * those variables, and fresh API keys and webhook secret for this run unless they are set, in
 * this process's environment before any service reads its configuration, so that the services
 * started from it reach the sandboxes and nothing else knows the keys.
 */
export interface ProviderSandboxes {
  payments?: PaymentSandbox;
  carrier?: CarrierSandbox;
  describe(): string[];
  close(): Promise<void>;
}

export async function startProviderSandboxes(options: {
  paymentPort?: number;
  carrierPort?: number;
  webhookUrl?: string;
  declineRate?: number;
  carrierFailureRate?: number;
  /** Use PAYMENT_PROVIDER_URL / CARRIER_URL when they are set (the dev stack); tests always start their own. */
  useConfigured?: boolean;
}): Promise<ProviderSandboxes> {
  const env = process.env;
  const own = !(options.useConfigured && env.PAYMENT_PROVIDER_URL);
  const ownCarrier = !(options.useConfigured && env.CARRIER_URL);
  const secret = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;
  if (own) {
    env.PAYMENT_PROVIDER_API_KEY = secret('sk_sandbox');
    env.PAYMENT_WEBHOOK_SECRET = secret('whsec_sandbox');
  }
  if (ownCarrier) env.CARRIER_API_KEY = secret('carrier_sandbox');
  const payments = own
    ? await startPaymentProvider({
        apiKey: env.PAYMENT_PROVIDER_API_KEY!,
        webhookSecret: env.PAYMENT_WEBHOOK_SECRET!,
        webhookUrl: options.webhookUrl,
        port: options.paymentPort,
        declineRate: options.declineRate ?? Number(process.env.PAYMENT_SANDBOX_DECLINE_RATE ?? 0),
      })
    : undefined;
  const carrier = ownCarrier
    ? await startCarrier({
        apiKey: env.CARRIER_API_KEY!,
        port: options.carrierPort,
        failureRate: options.carrierFailureRate ?? Number(process.env.CARRIER_SANDBOX_FAILURE_RATE ?? 0),
      }).catch(async (error: unknown) => {
        await payments?.close(); // never leave half the sandboxes running
        throw error;
      })
    : undefined;
  if (payments) process.env.PAYMENT_PROVIDER_URL = payments.url;
  if (carrier) process.env.CARRIER_URL = carrier.url;
  const range = (r: { min: number; max: number }) => `${formatCents(r.min)}–${formatCents(r.max)}`;
  return {
    payments,
    carrier,
    describe: () => [
      payments
        ? `payments: sandbox provider on ${payments.url} (totals ${range(DECLINED_AMOUNTS)} are declined, ${range(UNANSWERED_AMOUNTS)} never answered)`
        : 'payments: PAYMENT_PROVIDER_URL',
      carrier
        ? `shipments: sandbox carrier on ${carrier.url} (postal code ${UNDELIVERABLE_POSTAL_CODE} is undeliverable)`
        : 'shipments: CARRIER_URL',
    ],
    close: async () => {
      await Promise.allSettled([payments?.close(), carrier?.close()]);
    },
  };
}
