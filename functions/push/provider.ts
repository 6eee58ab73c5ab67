import { config } from '../../shared/config';

/**
 * How a push message leaves the system. Every message is first stored in the customer's inbox
 * (the in-app notification list); a provider then delivers it to the customer's devices.
 * A provider returns `delivered` or `rejected` (final: retrying cannot help) and throws for
 * anything transient, which Pub/Sub retries.
 */
export interface PushMessage {
  notification_id: string;
  customer_id: string;
  title: string;
  body: string;
}

export type PushOutcome = { outcome: 'delivered'; providerMessageId?: string } | { outcome: 'rejected'; reason: string };

export interface PushProvider {
  readonly name: string;
  deliver(message: PushMessage): Promise<PushOutcome>;
}

/** Local mode (and the default): the inbox is the delivery; the customer reads it through GET /notifications/:customerId. */
export const inboxOnly: PushProvider = {
  name: 'inbox',
  deliver: async () => ({ outcome: 'delivered' }),
};

/** The configured provider. `fcm` (functions/push/fcm.ts) is refused by the config until device registration exists. */
export function pushProvider(): PushProvider {
  const name = config().PUSH_PROVIDER;
  if (name !== 'inbox') throw new Error(`push provider ${name} is not available`);
  return inboxOnly;
}
