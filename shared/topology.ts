import { DEAD_LETTER_TOPIC, eventNames, type EventName } from './events/catalog';

/**
 * The one topology definition: services, their local ports, the events each consumes and the
 * scheduled jobs. Function, subscription and push-path names are derived here and nowhere else;
 * the dev stack, the tests and terraform (scripts/terraform-topology.ts) all read this file.
 */
export const services = {
  orders: { port: 3000, consumes: ['stock-available'] },
  products: { port: 3001, consumes: [] },
  inventory: { port: 3002, consumes: ['order-requested', 'order.cancelled'] },
  cart: { port: 3005, consumes: ['product.created', 'product.updated', 'product.deleted', 'stock.rejected', 'order.created'] },
  customers: { port: 3006, consumes: [] },
  messaging: { port: 3010, consumes: [] },
  notifications: {
    port: 3003,
    consumes: [
      'customer.created',
      'customer.updated',
      'customer.deleted',
      'stock.rejected',
      'order.created',
      'order.cancelled',
      'notification.delivered',
      'notification.failed',
    ],
  },
  email: { port: 3004, consumes: ['email.requested'] },
  push: { port: 3007, consumes: ['push.requested'] },
} as const satisfies Record<string, { port: number; consumes: readonly EventName[] }>;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

/** Delivery settings shared by every push subscription (emulator and production alike). */
export const delivery = {
  ackDeadlineSeconds: 30,
  minBackoffSeconds: 1,
  maxBackoffSeconds: 30,
  maxDeliveryAttempts: 5,
  messageRetentionSeconds: 7 * 24 * 3600,
} as const;

/** Scheduled jobs (Cloud Scheduler → HTTP function), hosted by the messaging service. */
export const jobs = {
  'outbox-sweeper': { schedule: 'every 1 minutes', localEveryMs: 2_000 },
  'messaging-prune': { schedule: 'every 24 hours', localEveryMs: 3_600_000 },
} as const;
export type JobName = keyof typeof jobs;

export const DEAD_LETTER_RECORDER = 'dead-letter-recorder';

const slug = (s: string) => s.replace(/[^a-z0-9]+/g, '-');

export const apiFunctionName = (service: ServiceName) => `${service}-api`;
export const consumerFunctionName = (service: ServiceName, event: EventName) => `${service}-on-${slug(event)}`;

export interface PushSubscription {
  name: string;
  topic: string;
  service: ServiceName;
  functionName: string;
  deadLetterTopic: string | null;
}

/** Every push subscription: one per consuming function, plus the dead-letter recorder's. */
export function pushSubscriptions(): PushSubscription[] {
  const consumers = serviceNames.flatMap((service) =>
    services[service].consumes.map((topic: EventName) => {
      const functionName = consumerFunctionName(service, topic);
      return { name: functionName, topic, service, functionName, deadLetterTopic: DEAD_LETTER_TOPIC };
    }),
  );
  const recorder = {
    name: DEAD_LETTER_RECORDER,
    topic: DEAD_LETTER_TOPIC,
    service: 'messaging' as const,
    functionName: DEAD_LETTER_RECORDER,
    deadLetterTopic: null,
  };
  return [...consumers, recorder];
}

export const topicNames = (): string[] => [...eventNames, DEAD_LETTER_TOPIC];

/** Path the push endpoint uses below a function's base URL; the Functions Framework reads the topic from it. */
export const pushPath = (project: string, topic: string) => `/projects/${project}/topics/${topic}`;
