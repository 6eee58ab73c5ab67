import { insertCustomer, customerEvent } from '../functions/customers/store';
import { insertProduct, productEvent } from '../functions/products/store';
import { insertStock } from '../functions/inventory/store';
import { db } from '../shared/db';
import { inTransaction } from '../shared/messaging/outbox';

/**
 * Seed data, written through each service's own store and outbox so the events reach every
 * projection exactly as real writes do. Idempotent: rows that exist are left alone.
 */
export const seedCustomers = [
  { id: '550e8400-e29b-41d4-a716-446655440000', name: 'John Smith', email: 'john.smith@example.com' },
  { id: '550e8400-e29b-41d4-a716-446655440001', name: 'Jane Doe', email: 'jane.doe@example.com' },
  { id: '550e8400-e29b-41d4-a716-446655440002', name: 'Robert Johnson', email: 'robert.johnson@example.com' },
  { id: '550e8400-e29b-41d4-a716-446655440003', name: 'Emily Davis', email: 'emily.davis@example.com' },
  { id: '550e8400-e29b-41d4-a716-446655440004', name: 'Michael Wilson', email: 'michael.wilson@example.com' },
];

export const seedProducts = [
  { sku: 'LAPTOP-001', name: 'Laptop Pro 14', description: '14-inch laptop, 16 GB RAM', price: 1299.99, stock: 25 },
  { sku: 'PHONE-001', name: 'Smartphone X', description: '6.1-inch phone, 128 GB', price: 799, stock: 50 },
  { sku: 'HEADPHONES-001', name: 'Noise-cancelling headphones', description: null, price: 249.5, stock: 100 },
  { sku: 'MOUSE-001', name: 'Wireless mouse', description: 'Ergonomic, USB-C', price: 39.9, stock: 200 },
  { sku: 'CABLE-001', name: 'USB-C cable 2 m', description: null, price: 9.99, stock: 3 },
];

export async function seed(): Promise<void> {
  for (const c of seedCustomers) {
    await inTransaction('customers', async ({ tx, emit }) => {
      const created = await insertCustomer(tx, c);
      if (created) await emit('customer.created', customerEvent(created), { correlationId: created.id });
    });
  }
  for (const { stock, ...p } of seedProducts) {
    await inTransaction('products', async ({ tx, emit }) => {
      const exists = await tx('catalog.products').where({ sku: p.sku }).first();
      const created = exists ? undefined : await insertProduct(tx, p);
      if (created) await emit('product.created', productEvent(created), { correlationId: created.sku });
    });
    await insertStock(db(), p.sku, stock);
  }
}
