import { DEAD_LETTER_TOPIC, eventNames, type EventName } from './events/catalog';

/**
 * The one topology definition: services, their local ports, the events each produces and
 * consumes, and the scheduled jobs. Function, subscription and push-path names are derived here and nowhere else;
 * the dev stack, the tests and terraform (scripts/terraform-topology.ts) all read this file.
 */
export const services = {
  orders: {
    port: 3000,
    produces: ['order.created', 'order.updated', 'order.cancelled'],
    consumes: [
      'stock-available',
      'payment.succeeded',
      'payment.failed',
      'payment.refunded',
      'shipment.scheduled',
      'shipment.failed',
    ],
  },
  products: { port: 3001, produces: ['product.created', 'product.updated', 'product.deleted'], consumes: [] },
  inventory: {
    port: 3002,
    produces: ['stock-available', 'stock.rejected'],
    consumes: ['order-requested', 'order.cancelled', 'shipment.scheduled'],
  },
  cart: {
    port: 3005,
    produces: ['order-requested'],
    consumes: [
      'product.created',
      'product.updated',
      'product.deleted',
      'stock.rejected',
      'order.created',
      'payment.succeeded',
      'order.cancelled',
    ],
  },
  customers: {
    port: 3006,
    produces: ['customer.created', 'customer.updated', 'customer.deleted', 'customer.email_verification_requested'],
    consumes: [],
  },
  messaging: { port: 3010, produces: [], consumes: [] },
  notifications: {
    port: 3003,
    produces: ['email.requested', 'push.requested'],
    consumes: [
      'customer.created',
      'customer.updated',
      'customer.deleted',
      'customer.email_verification_requested',
      'stock.rejected',
      'order.created',
      'order.cancelled',
      'payment.succeeded',
      'payment.failed',
      'payment.refunded',
      'shipment.scheduled',
      'notification.delivered',
      'notification.failed',
    ],
  },
  email: { port: 3004, produces: ['notification.delivered', 'notification.failed'], consumes: ['email.requested'] },
  push: { port: 3007, produces: ['notification.delivered', 'notification.failed'], consumes: ['push.requested'] },
  payments: {
    port: 3008,
    produces: ['payment.succeeded', 'payment.failed', 'payment.refunded'],
    consumes: ['order.created', 'order.cancelled'],
  },
  shipments: {
    port: 3009,
    produces: ['shipment.scheduled', 'shipment.failed'],
    consumes: ['order.created', 'payment.succeeded', 'order.updated', 'order.cancelled'],
  },
} as const satisfies Record<string, { port: number; produces: readonly EventName[]; consumes: readonly EventName[] }>;

export type ServiceName = keyof typeof services;
export const serviceNames = Object.keys(services) as ServiceName[];

/** The one service that produces each event (a topic has exactly one producer). */
export const producerOf = (event: EventName): ServiceName | undefined =>
  serviceNames.find((s) => (services[s].produces as readonly EventName[]).includes(event));

/** Delivery settings shared by every push subscription (emulator and production alike). */
export const delivery = {
  ackDeadlineSeconds: 30,
  minBackoffSeconds: 1,
  maxBackoffSeconds: 30,
  maxDeliveryAttempts: 5,
  messageRetentionSeconds: 7 * 24 * 3600,
} as const;

/**
 * Scheduled jobs (Cloud Scheduler → an HTTP function of the service that owns the data; locally the
 * dev stack's scheduler). `schedule` is cron syntax (UTC); `localEveryMs` is the dev stack's period.
 */
export const jobs = {
  'outbox-sweeper': { service: 'messaging', schedule: '* * * * *', localEveryMs: 2_000 },
  'messaging-prune': { service: 'messaging', schedule: '17 3 * * *', localEveryMs: 3_600_000 },
  'payment-timeout': { service: 'orders', schedule: '* * * * *', localEveryMs: 5_000 },
  'payments-reconcile': { service: 'payments', schedule: '* * * * *', localEveryMs: 2_000 },
  'shipments-reconcile': { service: 'shipments', schedule: '* * * * *', localEveryMs: 2_000 },
  'cart-redrive': { service: 'cart', schedule: '* * * * *', localEveryMs: 5_000 },
  'orders-redrive': { service: 'orders', schedule: '* * * * *', localEveryMs: 5_000 },
  'notifications-redrive': { service: 'notifications', schedule: '* * * * *', localEveryMs: 5_000 },
  'email-retry': { service: 'email', schedule: '* * * * *', localEveryMs: 5_000 },
  'undelivered-redrive': { service: 'messaging', schedule: '* * * * *', localEveryMs: 10_000 },
} as const satisfies Record<string, { service: ServiceName; schedule: string; localEveryMs: number }>;
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
