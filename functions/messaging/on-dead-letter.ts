import type { HttpFunction } from '@google-cloud/functions-framework';
import { recordDeadLetter } from '../../shared/messaging/dead-letter';
import { decodePush } from '../../shared/messaging/decode';

/**
 * Receives what Pub/Sub dead-lettered after the subscription's maximum delivery attempts and
 * stores it, with the source subscription, in the dead-letter store. It reads the raw push body
 * itself (an HTTP function), so even a message the Functions Framework cannot convert is kept.
 */
export const recordFromDeadLetterTopic: HttpFunction = async (req, res) => {
  const message = decodePush(req.body);
  const attributes = message?.attributes ?? {};
  await recordDeadLetter({
    consumer: attributes.CloudPubSubDeadLetterSourceSubscription ?? 'unknown-subscription',
    reason: 'max_attempts',
    error: 'delivery attempts exhausted',
    eventId: /^[0-9a-f-]{36}$/i.test(attributes.event_id ?? '') ? attributes.event_id : undefined,
    eventType: attributes.event_type,
    messageId: message?.messageId,
    attributes,
    data: message?.text,
    deliveryAttempt: Number(attributes.CloudPubSubDeadLetterSourceDeliveryCount) || undefined,
  });
  res.status(204).end();
};
