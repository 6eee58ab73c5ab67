import { TEXT_LIMITS, type EventPayload } from '../../shared/events/catalog';
import type { LineItem } from '../../shared/events/fields';
import { formatCents, toCents } from '../../shared/money';

/**
 * What each notification says: pure functions from an event (and the customer's name) to the
 * email's subject and text and the push message's title and body. No I/O, no clock.
 */
export interface Message {
  email: { subject: string; text: string };
  push: { title: string; body: string };
}

/** Cuts a text to what its event may carry, marking the cut (a long shortfall list must not block the event). */
export const fit = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const fitted = ({ email, push }: Message): Message => ({
  email: fitEmail(email),
  push: { title: fit(push.title, TEXT_LIMITS.title), body: fit(push.body, TEXT_LIMITS.body) },
});
const fitEmail = (email: Message['email']): Message['email'] => ({
  subject: fit(email.subject, TEXT_LIMITS.subject),
  text: fit(email.text, TEXT_LIMITS.text),
});

const lineCents = (item: LineItem) => toCents(item.unit_price) * item.quantity;
const sumCents = (items: LineItem[]) => items.reduce((sum, item) => sum + lineCents(item), 0);
const itemLines = (items: LineItem[]) =>
  items.map((i) => `  ${i.quantity} × ${i.product_sku} at ${formatCents(toCents(i.unit_price))} = ${formatCents(lineCents(i))}`);
const count = (items: LineItem[]) => {
  const n = items.reduce((sum, i) => sum + i.quantity, 0);
  return `${n} item${n === 1 ? '' : 's'}`;
};
const letter = (name: string, paragraphs: string[]) => [`Hello ${name},`, '', ...paragraphs, '', '— ShopFlow'].join('\n');

export function orderCreated(name: string, e: EventPayload<'order.created'>): Message {
  const total = formatCents(toCents(e.total));
  return fitted({
    email: {
      subject: `Order confirmed: ${e.order_id}`,
      text: letter(name, [
        `thank you for your order. Order ${e.order_id} is confirmed.`,
        '',
        ...itemLines(e.items),
        '',
        `Total: ${total}`,
      ]),
    },
    push: { title: 'Order confirmed', body: `Order ${e.order_id}: ${count(e.items)}, total ${total}.` },
  });
}

/** What happens to the money, told truthfully from what the cancellation knows (the order's status before it). */
function moneyAfterCancel(e: EventPayload<'order.cancelled'>, value: string): string {
  if (e.cause === 'payment_failed') return 'Your payment was declined, so nothing was charged.';
  if (e.previous_status === 'paid')
    return `Your payment of ${value} will be refunded; we will tell you when the refund is issued.`;
  return 'No payment had been completed for it. If one still completes, it will be refunded automatically.';
}

export function orderCancelled(name: string, e: EventPayload<'order.cancelled'>): Message {
  const value = formatCents(sumCents(e.items));
  const money = moneyAfterCancel(e, value);
  return fitted({
    email: {
      subject: `Order cancelled: ${e.order_id}`,
      text: letter(name, [
        `your order ${e.order_id} has been cancelled.`,
        `Reason: ${e.reason}`,
        '',
        ...itemLines(e.items),
        '',
        `Order value: ${value}. ${money}`,
      ]),
    },
    push: { title: 'Order cancelled', body: `Order ${e.order_id} (${value}) was cancelled: ${e.reason}. ${money}` },
  });
}

export function paymentSucceeded(name: string, e: EventPayload<'payment.succeeded'>): Message {
  const amount = formatCents(toCents(e.amount));
  return fitted({
    email: {
      subject: `Payment received: ${e.order_id}`,
      text: letter(name, [`we received your payment of ${amount} for order ${e.order_id}.`]),
    },
    push: { title: 'Payment received', body: `${amount} paid for order ${e.order_id}.` },
  });
}

export function paymentFailed(name: string, e: EventPayload<'payment.failed'>): Message {
  const amount = formatCents(toCents(e.amount));
  return fitted({
    email: {
      subject: `Payment declined: ${e.order_id}`,
      text: letter(name, [
        `the payment of ${amount} for order ${e.order_id} was declined (${e.reason}).`,
        'Nothing was charged, and the order is cancelled. You can place it again with another payment method.',
      ]),
    },
    push: { title: 'Payment declined', body: `Order ${e.order_id}: the payment of ${amount} was declined; nothing was charged.` },
  });
}

export function refundIssued(name: string, e: EventPayload<'payment.refunded'>): Message {
  const amount = formatCents(toCents(e.amount));
  return fitted({
    email: {
      subject: `Refund issued: ${e.order_id}`,
      text: letter(name, [
        `we refunded ${amount} for order ${e.order_id} (refund ${e.refund_ref}).`,
        'Depending on your bank it may take a few days to show on your statement.',
      ]),
    },
    push: { title: 'Refund issued', body: `${amount} refunded for order ${e.order_id}.` },
  });
}

export function orderShipped(name: string, e: EventPayload<'shipment.scheduled'>): Message {
  return fitted({
    email: {
      subject: `Order shipped: ${e.order_id}`,
      text: letter(name, [`your order ${e.order_id} is on its way with ${e.carrier}.`, `Tracking number: ${e.tracking_number}`]),
    },
    push: { title: 'Order shipped', body: `Order ${e.order_id} shipped with ${e.carrier}, tracking ${e.tracking_number}.` },
  });
}

type Shortfall = EventPayload<'stock.rejected'>['details'][number];
const short = (d: Shortfall) => Math.max(d.requested - d.available, 0);
const shortfallLine = (reason: EventPayload<'stock.rejected'>['reason'], d: Shortfall) =>
  reason === 'unknown_sku' && d.available <= 0
    ? `${d.product_sku}: not in our catalogue (you asked for ${d.requested})`
    : `${d.product_sku}: you asked for ${d.requested}, ${d.available} available (${short(d)} short)`;

export function stockRejected(name: string, e: EventPayload<'stock.rejected'>): Message {
  const lines = e.details.map((d) => shortfallLine(e.reason, d));
  return fitted({
    email: {
      subject: 'We could not place your order',
      text: letter(name, [
        'some items in your cart are not available in the quantity you asked for, so no order was placed',
        'and nothing was charged:',
        '',
        ...lines.map((l) => `  ${l}`),
        '',
        `Your cart (${e.cart_id}) is unlocked: change the quantities and place the order again.`,
      ]),
    },
    push: { title: 'Order not placed', body: `${lines.join('; ')}. Your cart is unlocked.` },
  });
}

/** The stock manager's alert: email only. */
export function stockAlert(e: EventPayload<'stock.rejected'>): Message['email'] {
  const skus = e.details.map((d) => `${d.product_sku} (${short(d)} short)`).join(', ');
  return fitEmail({
    subject: `Stock shortfall: ${skus}`,
    text: [
      `An order was rejected (${e.reason.replace('_', ' ')}).`,
      `Cart ${e.cart_id}, customer ${e.customer_id}.`,
      '',
      ...e.details.map((d) => `  ${d.product_sku}: requested ${d.requested}, available ${d.available}, short ${short(d)}`),
    ].join('\n'),
  });
}
