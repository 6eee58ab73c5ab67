import { randomUUID } from 'node:crypto';
import { catalog, type EventName, type EventPayload } from '../events/catalog';
import type { Envelope } from '../events/envelope';
import { failpoint } from '../failpoints';
import { db, run, statement, type Statement, type Tx } from '../db';
import { publishCommitted, type OutboxRow } from './relay';

/**
 * The transactional outbox. A unit of work is one database transaction: the business change
 * and its outbox rows commit together; right after commit the rows are handed to the relay.
 * Anything the relay could not publish is republished later by the sweeper.
 */
export interface EmitOptions {
  correlationId?: string;
  /** The event this one follows from, when it is not the one being handled (e.g. a webhook continues the order.created chain). */
  causationId?: string;
}

export interface UnitOfWork {
  tx: Tx;
  /** Validates the payload against the catalog, adds the outbox row to the transaction, returns the event_id. */
  emit<N extends EventName>(event: N, payload: EventPayload<N>, options?: EmitOptions): Promise<string>;
}

export interface CausalContext {
  correlationId?: string;
  causationId?: string;
}

/** Telemetry installs this to put W3C trace context into every outgoing envelope (given the message it is for). */
type TraceInjector = (
  event: Pick<Envelope, 'event_id' | 'event_type' | 'correlation_id'>,
) => Partial<Pick<Envelope, 'traceparent' | 'tracestate'>>;
let traceInjector: TraceInjector = () => ({});
export function setTraceInjector(injector: typeof traceInjector): void {
  traceInjector = injector;
}

export const OUTBOX = 'messaging.outbox';
/** A transaction's rows in one insert: a named statement per number of rows (shared/db.ts). */
const inserts = new Map<number, Statement>();
const insertRows = (count: number): Statement => {
  let insert = inserts.get(count);
  if (!insert) {
    const rows = Array.from({ length: count }, (_, r) => `(${[1, 2, 3, 4, 5].map((c) => `$${r * 5 + c}`).join(', ')})`);
    insert = statement(
      `messaging.outbox-insert-${count}`,
      `insert into ${OUTBOX} (id, service, topic, data, attributes) values ${rows.join(', ')}`,
    );
    inserts.set(count, insert);
  }
  return insert;
};

export async function inTransaction<T>(
  service: string,
  work: (uow: UnitOfWork) => Promise<T>,
  causal: CausalContext = {},
): Promise<T> {
  const written: OutboxRow[] = [];
  // an emit inside a savepoint may be rolled back with it while the transaction commits: only then must the relay
  // look up which rows really committed (a round trip every hop paid before)
  let emittedInSavepoint = false;
  const result = await db().transaction(async (tx) => {
    const inSavepoint = countSavepoints(tx);
    // rows emitted outside a savepoint go in together, in one insert when the work is done
    const rows: Row[] = [];
    const emit: UnitOfWork['emit'] = async (event, payload, options = {}) => {
      const data = catalog[event].schema.parse(payload);
      const eventId = randomUUID();
      const correlationId = options.correlationId ?? causal.correlationId;
      if (!correlationId) throw new Error(`emit(${event}): a correlation id is required`);
      const attributes: Envelope = {
        event_id: eventId,
        event_type: event,
        event_version: String(catalog[event].version),
        occurred_at: new Date().toISOString(),
        correlation_id: correlationId,
        ...((options.causationId ?? causal.causationId) ? { causation_id: options.causationId ?? causal.causationId } : {}),
        ...traceInjector({ event_id: eventId, event_type: event, correlation_id: correlationId }),
      };
      const row: Row = { id: eventId, service, topic: event, data: JSON.stringify(data), attributes: JSON.stringify(attributes) };
      if (inSavepoint()) {
        emittedInSavepoint = true;
        await tx(OUTBOX).insert(row); // goes with its savepoint, committed or rolled back
      } else rows.push(row);
      written.push({ id: eventId, topic: event, data, attributes: attributes as Record<string, string> });
      return eventId;
    };
    const value = await work({ tx, emit });
    if (rows.length > 0)
      await run(
        tx,
        insertRows(rows.length),
        rows.flatMap((r) => [r.id, r.service, r.topic, r.data, r.attributes]),
      );
    return value;
  });
  await failpoint('crash-after-commit');
  if (written.length > 0) await publishCommitted(written, { verify: emittedInSavepoint });
  return result;
}

type Row = { id: string; service: string; topic: string; data: string; attributes: string };

/**
 * Wraps `tx.transaction` (a savepoint) so that the unit of work knows whether one is open; a savepoint opened
 * without a handler cannot be followed, so from then on one counts as open.
 */
function countSavepoints(tx: Tx): () => boolean {
  let open = 0;
  let untracked = false;
  const savepoint = tx.transaction.bind(tx) as (...args: unknown[]) => Promise<unknown>;
  const counted = (...args: unknown[]) => {
    if (typeof args[0] !== 'function') {
      untracked = true;
      return savepoint(...args);
    }
    open++;
    return savepoint(...args).finally(() => open--);
  };
  Object.defineProperty(tx, 'transaction', { value: counted, configurable: true }); // knex defines it read-only
  return () => untracked || open > 0;
}
