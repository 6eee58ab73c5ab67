import { TEXT_LIMITS, type CancelCause } from '../../shared/events/catalog';
import { formatCents } from '../../shared/money';
import {
  orderCancelled,
  orderCreated,
  orderShipped,
  paymentFailed,
  paymentSucceeded,
  refundIssued,
  stockAlert,
  stockRejected,
} from './messages';

const order = {
  order_id: '11111111-1111-4111-8111-111111111111',
  cart_id: '22222222-2222-4222-8222-222222222222',
  customer_id: '33333333-3333-4333-8333-333333333333',
  items: [
    { product_sku: 'PEN', quantity: 3, unit_price: 0.1 },
    { product_sku: 'LAPTOP-001', quantity: 1, unit_price: 1299.99 },
  ],
};

describe('notification messages', () => {
  test('amounts are formatted from integer cents, exactly', () => {
    expect([formatCents(30), formatCents(130000), formatCents(1), formatCents(263988)]).toEqual([
      '0.30',
      '1300.00',
      '0.01',
      '2639.88',
    ]);
  });

  test('an order confirmation names the order, each line with its exact total, and the order total', () => {
    const { email, push } = orderCreated('Jane Doe', { ...order, total: 1300.29, status: 'confirmed' });
    expect(email.subject).toBe(`Order confirmed: ${order.order_id}`);
    expect(email.text).toContain('Hello Jane Doe,');
    expect(email.text).toContain('  3 × PEN at 0.10 = 0.30');
    expect(email.text).toContain('  1 × LAPTOP-001 at 1299.99 = 1299.99');
    expect(email.text).toContain('Total: 1300.29');
    expect(push).toEqual({ title: 'Order confirmed', body: `Order ${order.order_id}: 4 items, total 1300.29.` });
  });

  test('a cancellation gives the reason and the order value summed in cents', () => {
    const { email, push } = orderCancelled('Jane Doe', {
      ...order,
      reason: 'cancelled by request',
      cause: 'requested',
      previous_status: 'confirmed',
    });
    expect(email.text).toContain('Reason: cancelled by request');
    expect(email.text).toContain('Order value: 1300.29');
    expect(push.body).toContain(`Order ${order.order_id} (1300.29) was cancelled: cancelled by request.`);
  });

  test('a cancellation says truthfully what happens to the money at each stage', () => {
    const cancel = (cause: CancelCause, previous_status: 'confirmed' | 'paid') =>
      orderCancelled('Jane', { ...order, reason: 'x', cause, previous_status }).email.text;
    expect(cancel('shipment_failed', 'paid')).toContain('Your payment of 1300.29 will be refunded');
    expect(cancel('requested', 'paid')).toContain('will be refunded');
    expect(cancel('payment_timeout', 'confirmed')).toContain('No payment had been completed');
    expect(cancel('payment_timeout', 'confirmed')).not.toContain('will be refunded;');
    expect(cancel('payment_failed', 'confirmed')).toContain('nothing was charged');
  });

  test('saga steps: payment received, declined, refund issued, shipped', () => {
    const money = {
      payment_id: order.order_id,
      order_id: order.order_id,
      cart_id: order.cart_id,
      customer_id: order.customer_id,
      amount: 12.5,
    };
    expect(paymentSucceeded('Jane', { ...money, provider_ref: 'ch_1' }).email.text).toContain('payment of 12.50');
    expect(paymentFailed('Jane', { ...money, reason: 'card_declined' }).push.body).toContain('nothing was charged');
    expect(refundIssued('Jane', { ...money, refund_ref: 're_1' }).email.subject).toBe(`Refund issued: ${order.order_id}`);
    const shipped = orderShipped('Jane', {
      shipment_id: order.order_id,
      order_id: order.order_id,
      cart_id: order.cart_id,
      customer_id: order.customer_id,
      carrier: 'Post',
      tracking_number: 'T1',
    });
    expect(shipped.email.text).toContain('Tracking number: T1');
  });

  test('a rejection says what was short and by how much, and that the cart is unlocked', () => {
    const rejected = {
      cart_id: order.cart_id,
      customer_id: order.customer_id,
      reason: 'insufficient_stock' as const,
      details: [
        { product_sku: 'CABLE-001', requested: 5, available: 3 },
        { product_sku: 'MOUSE-001', requested: 2, available: 0 },
      ],
    };
    const { email, push } = stockRejected('Jane Doe', rejected);
    expect(email.text).toContain('CABLE-001: you asked for 5, 3 available (2 short)');
    expect(email.text).toContain('MOUSE-001: you asked for 2, 0 available (2 short)');
    expect(email.text).toContain(`Your cart (${order.cart_id}) is unlocked`);
    expect(push.body).toContain('CABLE-001: you asked for 5, 3 available (2 short)');

    expect(stockAlert(rejected)).toEqual({
      subject: 'Stock shortfall: CABLE-001 (2 short), MOUSE-001 (2 short)',
      text: expect.stringContaining('CABLE-001: requested 5, available 3, short 2'),
    });
  });

  test('an unknown SKU is named as not in the catalogue', () => {
    const { email } = stockRejected('Jane', {
      cart_id: order.cart_id,
      customer_id: order.customer_id,
      reason: 'unknown_sku',
      details: [{ product_sku: 'GHOST-1', requested: 1, available: 0 }],
    });
    expect(email.text).toContain('GHOST-1: not in our catalogue (you asked for 1)');
  });

  test('a rejection with many short products still fits its events: subject, text, title and body are cut, not refused', () => {
    const details = Array.from({ length: 60 }, (_, i) => ({
      product_sku: `SKU-${'X'.repeat(50)}-${i}`,
      requested: 5,
      available: 1,
    }));
    const rejection = { cart_id: order.cart_id, customer_id: order.customer_id, reason: 'insufficient_stock' as const, details };
    const alert = stockAlert(rejection);
    const { push, email } = stockRejected('Jane', rejection);
    expect(alert.subject.length).toBeLessThanOrEqual(TEXT_LIMITS.subject);
    expect(alert.subject.endsWith('…')).toBe(true);
    expect(push.body.length).toBeLessThanOrEqual(TEXT_LIMITS.body);
    expect(email.text.length).toBeLessThanOrEqual(TEXT_LIMITS.text);
  });
});
