import type { Tx } from '../../shared/db';
import type { EventPayload } from '../../shared/events/catalog';
import { log } from '../../shared/logger';
import { consume } from '../../shared/messaging/consumer';
import { applyCustomer, type KnownCustomer } from './store';

/**
 * The customer projection (names and email addresses). Versions only rise, so an event that
 * arrives after a newer one changes nothing; a deleted customer stays as a tombstone without
 * its name and address.
 */
async function project(tx: Tx, customer: KnownCustomer): Promise<void> {
  if (!(await applyCustomer(tx, customer))) {
    log.info('older customer state ignored', { customer_id: customer.id, version: customer.version });
  }
}

const live = (p: EventPayload<'customer.created'>): KnownCustomer => ({
  id: p.customer_id,
  name: p.name,
  email: p.email,
  version: p.version,
  deleted: false,
});

consume('notifications', 'customer.created', ({ payload }, { tx }) => project(tx, live(payload)));
consume('notifications', 'customer.updated', ({ payload }, { tx }) => project(tx, live(payload)));
consume('notifications', 'customer.deleted', ({ payload: p }, { tx }) =>
  project(tx, { id: p.customer_id, name: null, email: null, version: p.version, deleted: true }),
);
