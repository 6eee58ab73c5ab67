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

export function orderCancelled(name: string, e: EventPayload<'order.cancelled'>): Message {
  const value = formatCents(sumCents(e.items));
  return fitted({
    email: {
      subject: `Order cancelled: ${e.order_id}`,
      text: letter(name, [
        `your order ${e.order_id} has been cancelled.`,
        `Reason: ${e.reason}`,
        '',
        ...itemLines(e.items),
        '',
        `Order value: ${value}. Anything you were charged for it will be refunded.`,
      ]),
    },
    push: { title: 'Order cancelled', body: `Order ${e.order_id} (${value}) was cancelled: ${e.reason}.` },
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
