import type { Knex } from 'knex';
import * as messaging from './001_messaging';
import * as catalog from './002_catalog';
import * as customers from './003_customers';
import * as cart from './004_cart';
import * as inventory from './005_inventory';
import * as orders from './006_orders';
import * as notifications from './007_notifications';
import * as email from './008_email';
import * as push from './009_push';
import * as idempotencyKeys from './010_idempotency_keys';
import * as payments from './011_payments';
import * as shipments from './012_shipments';
import * as saga from './013_saga';
import * as cartRedrive from './014_cart_redrive';
import * as selfHealing from './015_self_healing';
import * as cartOpenOrders from './020_cart_open_orders';
import * as deadLetterTopic from './021_dead_letter_topic';
import * as emailVerifications from './022_email_verifications';
import * as emailParking from './023_email_parking';
import * as undeliveredRedrive from './024_undelivered_redrive';

/**
 * Every migration, in order. Listed explicitly (a knex migration source) so migrations run the
 * same under tsx, jest and compiled JavaScript, with no file-system discovery.
 */
const migrations: Record<string, Knex.Migration> = {
  '001_messaging': messaging,
  '002_catalog': catalog,
  '003_customers': customers,
  '004_cart': cart,
  '005_inventory': inventory,
  '006_orders': orders,
  '007_notifications': notifications,
  '008_email': email,
  '009_push': push,
  '010_idempotency_keys': idempotencyKeys,
  '011_payments': payments,
  '012_shipments': shipments,
  '013_saga': saga,
  '014_cart_redrive': cartRedrive,
  '015_self_healing': selfHealing,
  '020_cart_open_orders': cartOpenOrders,
  '021_dead_letter_topic': deadLetterTopic,
  '022_email_verifications': emailVerifications,
  '023_email_parking': emailParking,
  '024_undelivered_redrive': undeliveredRedrive,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};

export async function migrate(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource, schemaName: 'public' })) as [number, string[]];
  return applied;
}
