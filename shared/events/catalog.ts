import { z } from 'zod';
import { money } from '../money';
import { email, lineItems, name, sku, uuid } from './fields';

/**
 * The event catalog: the only definition of each event. The key is both the Pub/Sub topic
 * name and the event_type attribute. Producers and consumers import these schemas.
 */
const product = z.object({
  sku,
  name,
  description: z.string().max(2000).nullable(),
  price: money,
  version: z.number().int().min(1),
});
const productDeleted = z.object({ sku, version: z.number().int().min(1) });

const customer = z.object({ customer_id: uuid, name, email, version: z.number().int().min(1) });
const customerDeleted = z.object({ customer_id: uuid, version: z.number().int().min(1) });

/** Lengths of notification texts, shared with the code that writes them (functions/notifications/messages.ts). */
export const TEXT_LIMITS = { subject: 300, text: 20_000, title: 200, body: 2000 } as const;

const stockShortfall = z.object({ product_sku: sku, requested: z.number().int(), available: z.number().int() });

export const catalog = {
  'product.created': { version: 1, schema: product },
  'product.updated': { version: 1, schema: product },
  'product.deleted': { version: 1, schema: productDeleted },
  'customer.created': { version: 1, schema: customer },
  'customer.updated': { version: 1, schema: customer },
  'customer.deleted': { version: 1, schema: customerDeleted },
  'order-requested': {
    version: 1,
    schema: z.object({ cart_id: uuid, customer_id: uuid, items: lineItems }),
  },
  'stock-available': {
    version: 1,
    schema: z.object({ cart_id: uuid, customer_id: uuid, reservation_id: uuid, items: lineItems }),
  },
  'stock.rejected': {
    version: 1,
    schema: z.object({
      cart_id: uuid,
      customer_id: uuid,
      reason: z.enum(['insufficient_stock', 'unknown_sku']),
      details: z.array(stockShortfall).min(1),
    }),
  },
  'order.created': {
    version: 1,
    schema: z.object({
      order_id: uuid,
      cart_id: uuid,
      customer_id: uuid,
      items: lineItems,
      total: money,
      status: z.literal('confirmed'),
    }),
  },
  'order.cancelled': {
    version: 1,
    schema: z.object({
      order_id: uuid,
      cart_id: uuid,
      customer_id: uuid,
      items: lineItems,
      reason: z.string().min(1).max(500),
    }),
  },
  'email.requested': {
    version: 1,
    schema: z.object({
      notification_id: uuid,
      to: email,
      subject: z.string().min(1).max(TEXT_LIMITS.subject),
      text: z.string().min(1).max(TEXT_LIMITS.text),
    }),
  },
  'push.requested': {
    version: 1,
    schema: z.object({
      notification_id: uuid,
      customer_id: uuid,
      title: z.string().min(1).max(TEXT_LIMITS.title),
      body: z.string().min(1).max(TEXT_LIMITS.body),
    }),
  },
  'notification.delivered': {
    version: 1,
    schema: z.object({ notification_id: uuid, channel: z.enum(['email', 'push']) }),
  },
  'notification.failed': {
    version: 1,
    schema: z.object({ notification_id: uuid, channel: z.enum(['email', 'push']), reason: z.string().min(1).max(2000) }),
  },
} as const;

export type EventName = keyof typeof catalog;
export type EventPayload<N extends EventName> = z.infer<(typeof catalog)[N]['schema']>;
export const eventNames = Object.keys(catalog) as EventName[];

/** Catch-all topic that every subscription dead-letters into. */
export const DEAD_LETTER_TOPIC = 'dead-letter';
