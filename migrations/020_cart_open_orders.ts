import type { Knex } from 'knex';

/**
 * Cart: whether the order a cart became is settled (paid or cancelled), learnt from payment.succeeded
 * and order.cancelled, so the cart can count a customer's orders still waiting for payment.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table cart.carts add column order_settled boolean not null default false;
    create index carts_open_orders on cart.carts (customer_id) where status = 'ordered' and not order_settled;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists cart.carts_open_orders;
    alter table cart.carts drop column if exists order_settled;
  `);
}
