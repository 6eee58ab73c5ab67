import { consume } from '../../shared/messaging/consumer';
import { log } from '../../shared/logger';
import { applyCustomer, type KnownCustomer } from './store';

/**
 * The customer projection (names and email addresses). Versions only rise, so an event that
 * arrives after a newer one changes nothing; a deleted customer stays as a tombstone without
 * its name and address.
 */
async function project(customer: KnownCustomer, tx: Parameters<typeof applyCustomer>[0]): Promise<void> {
  const applied = await applyCustomer(tx, customer);
  if (!applied) log.info('older customer state ignored', { customer_id: customer.id, version: customer.version });
}

consume('notifications', 'customer.created', ({ payload: p }, { tx }) =>
  project({ id: p.customer_id, name: p.name, email: p.email, version: p.version, deleted: false }, tx),
);
consume('notifications', 'customer.updated', ({ payload: p }, { tx }) =>
  project({ id: p.customer_id, name: p.name, email: p.email, version: p.version, deleted: false }, tx),
);
consume('notifications', 'customer.deleted', ({ payload: p }, { tx }) =>
  project({ id: p.customer_id, name: null, email: null, version: p.version, deleted: true }, tx),
);
