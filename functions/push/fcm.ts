import type { PushMessage, PushOutcome, PushProvider } from './provider';

/**
 * The production adapter, Firebase Cloud Messaging over the HTTP v1 API — written, not yet wired:
 * config refuses PUSH_PROVIDER=fcm until the piece it needs exists, device-token registration
 * (an endpoint where the app registers `{customer_id, token}` in the push schema). It has not been
 * run against FCM from here. To wire it:
 *   - PUSH_PROVIDER=fcm, FCM_PROJECT_ID=<firebase project>;
 *   - the function's service account gets roles/firebasemessaging.admin (or
 *     cloudmessaging.messages.create); `accessToken` comes from Application Default Credentials
 *     (google-auth-library, scope https://www.googleapis.com/auth/firebase.messaging);
 *   - `tokens` reads the customer's registered device tokens.
 * Per token: POST https://fcm.googleapis.com/v1/projects/<project>/messages:send. 200 → delivered;
 * 404 UNREGISTERED / 400 INVALID_ARGUMENT → that token is dead; 429, 5xx, network errors → throw (retry;
 * with several devices a retry re-sends to those already reached — per-token records would fix that).
 */
export interface FcmDependencies {
  projectId: string;
  tokens(customerId: string): Promise<string[]>;
  accessToken(): Promise<string>;
  fetch?: typeof fetch;
}

export const fcmRequestBody = (message: PushMessage, token: string) => ({
  message: {
    token,
    notification: { title: message.title, body: message.body },
    data: { notification_id: message.notification_id },
  },
});

export function fcmProvider(deps: FcmDependencies): PushProvider {
  const send = deps.fetch ?? fetch;
  const url = `https://fcm.googleapis.com/v1/projects/${deps.projectId}/messages:send`;
  return {
    name: 'fcm',
    async deliver(message): Promise<PushOutcome> {
      const tokens = await deps.tokens(message.customer_id);
      if (tokens.length === 0) return { outcome: 'rejected', reason: 'the customer has no registered device' };
      const authorization = `Bearer ${await deps.accessToken()}`;
      const names: string[] = [];
      for (const token of tokens) {
        const reply = await send(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(fcmRequestBody(message, token)),
        });
        if (reply.status === 429 || reply.status >= 500) throw new Error(`FCM answered ${reply.status}`);
        if (reply.ok) names.push(((await reply.json()) as { name: string }).name);
      }
      if (names.length === 0) return { outcome: 'rejected', reason: 'FCM rejected every device token of the customer' };
      return { outcome: 'delivered', providerMessageId: names.join(',') };
    },
  };
}
