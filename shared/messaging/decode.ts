import type { CloudEvent } from '@google-cloud/functions-framework';
import { z } from 'zod';

/** What a Pub/Sub push carries, whether it arrives raw or converted into a CloudEvent. */
export interface PushedMessage {
  messageId?: string;
  attributes: Record<string, string>;
  /** The payload, base64-decoded; undefined when the message had none. */
  text?: string;
  subscription?: string;
}

const pushedMessage = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
    message_id: z.string().optional(),
  }),
  subscription: z.string().optional(),
});

/** Accepts the standard push body `{message, subscription}` (raw push, or CloudEvent data). */
export function decodePush(body: unknown): PushedMessage | undefined {
  const parsed = pushedMessage.safeParse(body);
  if (!parsed.success) return undefined;
  const { message, subscription } = parsed.data;
  return {
    messageId: message.messageId ?? message.message_id,
    attributes: message.attributes ?? {},
    text: message.data ? Buffer.from(message.data, 'base64').toString('utf8') : undefined,
    subscription,
  };
}

/**
 * A converted push carries the message in the CloudEvent's data; a push the Functions Framework
 * did not convert (it skips messages with empty data) arrives as the raw push body itself.
 */
export const decodeCloudEvent = (event: CloudEvent<unknown>): PushedMessage | undefined =>
  decodePush(event?.data) ?? decodePush(event);
