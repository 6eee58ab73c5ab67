import type { HttpFunction } from '@google-cloud/functions-framework';
import { uuid } from '../../shared/events/fields';
import { lastFailure, recordDeadLetter, verifiedTopic } from '../../shared/messaging/dead-letter';
import { decodePush } from '../../shared/messaging/decode';

/**
 * Receives what Pub/Sub dead-lettered after the subscription's maximum delivery attempts and
 * stores it, with the source subscription, in the dead-letter store. It reads the raw push body
 * itself (an HTTP function), so even a message the Functions Framework cannot convert is kept.
 * The source subscription is an attribute anyone publishing here could set: the letter becomes
 * replayable only if its topic is verified against the topology and the outbox (verifiedTopic).
 */
export const recordFromDeadLetterTopic: HttpFunction = async (req, res) => {
  const message = decodePush(req.body);
  const attributes = message?.attributes ?? {};
  const consumer = sourceSubscription(attributes);
  const eventId = uuid.safeParse(attributes.event_id).data;
  const failure = eventId ? await lastFailure(consumer, eventId) : undefined;
  const claimed = { consumer, eventId, eventType: attributes.event_type, data: message?.text };
  await recordDeadLetter({
    ...claimed,
    topic: await verifiedTopic(claimed),
    reason: 'max_attempts',
    error: failure ? `delivery attempts exhausted; last error: ${failure.last_error}` : 'delivery attempts exhausted',
    messageId: message?.messageId,
    attributes,
    deliveryAttempt: Number(attributes.CloudPubSubDeadLetterSourceDeliveryCount) || undefined,
  });
  res.status(204).end();
};

/** Pub/Sub names the source as projects/<p>/subscriptions/<name>; the subscription name is the consumer. */
const sourceSubscription = (attributes: Record<string, string>): string =>
  attributes.CloudPubSubDeadLetterSourceSubscription?.split('/').pop() ?? 'unknown-subscription';
