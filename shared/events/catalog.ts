import { z } from 'zod';
import { money } from '../money';
import { email, lineItems, name, shippingAddress, sku, uuid } from './fields';

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

/** Given at checkout (optional), carried to the order and on to shipments; changed later through order.updated. */
const optionalAddress = shippingAddress.nullish();

/** What the saga's payment events share: which order, whose, how much (the order total). */
const payment = z.object({ payment_id: uuid, order_id: uuid, cart_id: uuid, customer_id: uuid, amount: money });
const shipment = z.object({ shipment_id: uuid, order_id: uuid, cart_id: uuid, customer_id: uuid });

/** Why an order was cancelled: by a person, or by a saga step that failed or timed out. */
export const cancelCauses = ['requested', 'payment_failed', 'payment_timeout', 'shipment_failed'] as const;
export type CancelCause = (typeof cancelCauses)[number];

const stockShortfall = z.object({ product_sku: sku, requested: z.number().int(), available: z.number().int() });

export const catalog = {
  'product.created': { version: 1, schema: product },
  'product.updated': { version: 1, schema: product },
  'product.deleted': { version: 1, schema: productDeleted },
  'customer.created': { version: 1, schema: customer },
  'customer.updated': { version: 1, schema: customer },
  'customer.deleted': { version: 1, schema: customerDeleted },
  /** A customer asked to use a new address: the verification mail goes there; the address is used only once verified. */
  'customer.email_verification_requested': {
    version: 1,
    schema: z.object({ customer_id: uuid, email, token: z.string().min(32).max(100), expires_at: z.iso.datetime() }),
  },
  'order-requested': {
    version: 1,
    schema: z.object({ cart_id: uuid, customer_id: uuid, items: lineItems, shipping_address: optionalAddress }),
  },
  'stock-available': {
    version: 1,
    schema: z.object({
      cart_id: uuid,
      customer_id: uuid,
      reservation_id: uuid,
      items: lineItems,
      shipping_address: optionalAddress,
    }),
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
      shipping_address: optionalAddress,
    }),
  },
  'order.updated': {
    version: 1,
    schema: z.object({
      order_id: uuid,
      customer_id: uuid,
      shipping_address: shippingAddress.nullable(),
      version: z.number().int().min(1),
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
      /** Why, as a code the consumers act on (the reason is for people). */
      cause: z.enum(cancelCauses),
      /** The status the order had when it was cancelled: `paid` means money was captured. */
      previous_status: z.enum(['confirmed', 'paid']),
    }),
  },
  'payment.succeeded': { version: 1, schema: payment.extend({ provider_ref: z.string().min(1).max(200) }) },
  'payment.failed': { version: 1, schema: payment.extend({ reason: z.string().min(1).max(500) }) },
  'payment.refunded': { version: 1, schema: payment.extend({ refund_ref: z.string().min(1).max(200) }) },
  'shipment.scheduled': {
    version: 1,
    schema: shipment.extend({ carrier: z.string().min(1).max(100), tracking_number: z.string().min(1).max(100) }),
  },
  'shipment.failed': { version: 1, schema: shipment.extend({ reason: z.string().min(1).max(500) }) },
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
