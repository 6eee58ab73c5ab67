import { z } from 'zod';
import { catalog, DEAD_LETTER_TOPIC, eventNames, type EventName } from '../../shared/events/catalog';
import { envelope } from '../../shared/events/envelope';
import { delivery, producerOf, pushSubscriptions, type PushSubscription } from '../../shared/topology';
import { jsonSchema } from './openapi';

/**
 * AsyncAPI 3 for every topic the topology provisions: the payload schema from the event catalog,
 * the envelope attributes (shared/events/envelope.ts), the producer, and one receive operation per
 * push subscription with its retry and dead-letter settings (shared/topology.ts).
 */
type Json = Record<string, unknown>;

const retryPolicy = { minimumBackoff: `${delivery.minBackoffSeconds}s`, maximumBackoff: `${delivery.maxBackoffSeconds}s` };

function subscriptionOf(sub: PushSubscription): Json {
  return {
    name: sub.name,
    pushEndpoint: `the ${sub.functionName} function of ${sub.service}`,
    ackDeadlineSeconds: delivery.ackDeadlineSeconds,
    messageRetentionDuration: `${delivery.messageRetentionSeconds}s`,
    retryPolicy,
    deadLetterPolicy: sub.deadLetterTopic
      ? { deadLetterTopic: sub.deadLetterTopic, maxDeliveryAttempts: delivery.maxDeliveryAttempts }
      : null,
  };
}

const describeSubscription = (sub: PushSubscription) =>
  `Push subscription \`${sub.name}\` → ${sub.service} (${sub.functionName}). Retry: exponential backoff ` +
  `${retryPolicy.minimumBackoff}–${retryPolicy.maximumBackoff}, ack deadline ${delivery.ackDeadlineSeconds}s. ` +
  (sub.deadLetterTopic
    ? `Dead letter: after ${delivery.maxDeliveryAttempts} attempts to \`${sub.deadLetterTopic}\`.`
    : 'No dead-letter topic (this is the end of the line: failures are retried and stay visible in the subscription).');

/** The envelope as message attributes, with this event's type and version fixed. */
const headersOf = (event: EventName) =>
  jsonSchema(
    envelope.extend({
      event_type: z.literal(event).describe('the event name (also the topic)'),
      event_version: z.literal(String(catalog[event].version)).describe('the payload schema version'),
    }),
  );

export function buildAsyncApi(version: string): Json {
  const subscriptions = pushSubscriptions();
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  const topics: string[] = [...eventNames, DEAD_LETTER_TOPIC];
  for (const topic of topics) {
    const event = topic === DEAD_LETTER_TOPIC ? undefined : (topic as EventName);
    const producer = event ? producerOf(event) : undefined;
    const consumers = subscriptions.filter((s) => s.topic === topic);
    const messageId = `${topic}.message`.replace(/[^A-Za-z0-9._-]/g, '_');
    messages[messageId] = event
      ? {
          name: event,
          title: event,
          contentType: 'application/json',
          summary: `${event} v${catalog[event].version}`,
          headers: headersOf(event),
          payload: jsonSchema(catalog[event].schema),
        }
      : {
          name: DEAD_LETTER_TOPIC,
          title: DEAD_LETTER_TOPIC,
          contentType: 'application/json',
          summary: 'A message that failed every delivery attempt: its original data and attributes, unchanged',
          payload: {},
        };
    channels[topic] = {
      address: topic,
      title: topic,
      description: [
        event
          ? `Producer: ${producer ?? 'none yet'}${producer ? ' (through its outbox)' : ''}.`
          : 'Producer: Pub/Sub itself, dead-lettering from every subscription above.',
        `Consumers: ${consumers.map((c) => `${c.service} (${c.name})`).join(', ') || 'none'}.`,
      ].join(' '),
      messages: { [messageId]: { $ref: `#/components/messages/${messageId}` } },
      'x-producer': producer ?? (event ? null : 'pubsub'),
      'x-consumers': consumers.map((c) => c.service),
    };
    if (producer) {
      operations[`${producer}.publish.${topic}`] = {
        action: 'send',
        title: `${producer} publishes ${topic}`,
        channel: { $ref: `#/channels/${topic}` },
        messages: [{ $ref: `#/channels/${topic}/messages/${messageId}` }],
      };
    }
    for (const sub of consumers) {
      operations[sub.name] = {
        action: 'receive',
        title: `${sub.service} receives ${topic}`,
        description: describeSubscription(sub),
        channel: { $ref: `#/channels/${topic}` },
        messages: [{ $ref: `#/channels/${topic}/messages/${messageId}` }],
        'x-subscription': subscriptionOf(sub),
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'ShopFlow events',
      version,
      description: [
        'Every Pub/Sub topic of ShopFlow. Message `data` is the JSON payload; the attributes carry the envelope',
        '(event_id is the idempotency key, stable across re-publication; W3C trace context in traceparent/tracestate).',
        "Events are published through each producer's outbox, after its transaction commits.",
        '',
        'Generated from shared/events/catalog.ts, shared/events/envelope.ts and shared/topology.ts by `npm run docs:generate`; do not edit.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      production: { host: 'pubsub.googleapis.com', protocol: 'googlepubsub', description: 'Google Cloud Pub/Sub' },
      local: { host: '127.0.0.1:8085', protocol: 'googlepubsub', description: 'the Pub/Sub emulator of npm run dev' },
    },
    channels,
    operations,
    components: { messages },
  };
}
