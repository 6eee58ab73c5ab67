import { toCents } from '../../shared/money';

/** Pure order rules: the status machine and totals. No I/O. */
export const orderStatuses = ['confirmed', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  confirmed: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: [],
  cancelled: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean => transitions[from].includes(to);

/** Statuses in which notes and the shipping address may still change. */
export const editable: readonly OrderStatus[] = ['confirmed', 'paid'];

/** The order total in cents, from the price snapshot, with integer arithmetic only. */
export const totalCents = (items: { quantity: number; unit_price: number }[]): number =>
  items.reduce((sum, item) => sum + item.quantity * toCents(item.unit_price), 0);
