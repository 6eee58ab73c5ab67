import type { CloudEvent } from '@google-cloud/functions-framework';
import { ZodError } from 'zod';
import { config } from '../config';
import { run, statement, untilDatabaseAnswers } from '../db';
import { AppError, PermanentError } from '../errors';
import { aggregateId } from '../events/aggregate';
import { catalog, type EventName, type EventPayload } from '../events/catalog';
import { envelope, type Envelope } from '../events/envelope';
import { log, withLogContext } from '../logger';
import { registerCloudEvent } from '../runtime/registry';
import { observeDelivery } from '../telemetry/messaging';
import { consumerFunctionName, services, type ServiceName } from '../topology';
import { recordDeadLetter, recordFailure, type DeadLetter } from './dead-letter';
import { failpoint } from '../failpoints';
import { hasNul } from '../text';
import { decodeCloudEvent, type PushedMessage } from './decode';
import { inTransaction, type UnitOfWork } from './outbox';
import { republishCausedBy } from './relay';

export interface Received<N extends EventName> {
  eventId: string;
  type: N;
  payload: EventPayload<N>;
  envelope: Envelope;
  messageId?: string;
}

export type Handler<N extends EventName> = (event: Received<N>, uow: UnitOfWork) => Promise<void>;
export type Outcome = 'processed' | 'duplicate' | 'dead-lettered';

export const PROCESSED_MESSAGES = 'messaging.processed_messages';
// every delivery runs it: a named statement (shared/db.ts)
const CLAIM = statement(
  'messaging.claim',
  `insert into ${PROCESSED_MESSAGES} (consumer, event_id) values ($1, $2) on conflict (consumer, event_id) do nothing returning event_id`,
);

/**
 * Registers a Pub/Sub-triggered function for one event of one service. The wrapper decodes
 * and validates the message; then, in ONE transaction, claims (consumer, event_id) in
 * processed_messages, runs the handler and writes the handler's outbox rows. A duplicate is
 * acknowledged with no effect; a transient error rolls back and throws (Pub/Sub redelivers);
 * a message that can never succeed is stored as a dead letter and acknowledged.
 */
export function consume<N extends EventName>(service: ServiceName, event: N, handler: Handler<N>): void {
  const consumes: readonly EventName[] = services[service].consumes;
  if (!consumes.includes(event)) throw new Error(`topology: service ${service} does not consume ${event}`);
  const name = consumerFunctionName(service, event);
  registerCloudEvent({ name, service, kind: 'consumer' }, consumerFunction({ consumer: name, service, event, handler }));
}

/** The CloudEvent function for one consumer (exported for tests that host a probe consumer). */
export const consumerFunction =
  <N extends EventName>(spec: ConsumerSpec<N>) =>
  async (ce: CloudEvent<unknown>): Promise<void> => {
    await processMessage(spec, decodeCloudEvent(ce));
  };

export interface ConsumerSpec<N extends EventName> {
  consumer: string;
  service: ServiceName;
  event: N;
  handler: Handler<N>;
}

/** One delivery, traced as a `process` span that continues the producer's trace, and counted by outcome. */
export function processMessage<N extends EventName>(spec: ConsumerSpec<N>, message: PushedMessage | undefined): Promise<Outcome> {
  const delivery = { consumer: spec.consumer, topic: spec.event, messageId: message?.messageId, attributes: message?.attributes };
  return observeDelivery(delivery, () => handleMessage(spec, message));
}

async function handleMessage<N extends EventName>(spec: ConsumerSpec<N>, message: PushedMessage | undefined): Promise<Outcome> {
  const started = Date.now();
  const decoded = decode(spec.event, message);
  if ('problem' in decoded) {
    await deadLetter(spec, message, decoded.problem.reason, decoded.problem.error, decoded.env);
    return 'dead-lettered';
  }
  const { env, payload } = decoded;
  const fields = {
    consumer: spec.consumer,
    event_id: env.event_id,
    event_type: env.event_type,
    correlation_id: env.correlation_id,
    aggregate_id: aggregateId(payload),
  };
  try {
    // while the database is down the push is held (not failed): the broker keeps the rest queued
    const outcome = await untilDatabaseAnswers(
      () => claimAndHandle(spec, { env, payload, messageId: message?.messageId }, fields),
      config().CONSUMER_DB_WAIT_SECONDS * 1000,
    );
    if (outcome === 'duplicate') await healDownstream(spec.service, fields);
    log.info(outcome === 'duplicate' ? 'duplicate event skipped' : 'event processed', {
      ...fields,
      outcome,
      duration_ms: Date.now() - started,
    });
    if (outcome === 'processed') await failpoint('crash-before-ack');
    return outcome;
  } catch (error) {
    if (!isPermanent(error)) {
      log.warn('event processing failed; Pub/Sub will redeliver', { ...fields, error });
      await recordFailure(spec.consumer, env.event_id, errorText(error)).catch(() => undefined);
      throw error;
    }
    await deadLetter(spec, message, 'permanent', errorText(error), env);
    return 'dead-lettered';
  }
}

/**
 * One transaction: claims (consumer, event_id) in processed_messages, runs the handler and writes its outbox rows;
 * an event claimed before is a duplicate and changes nothing.
 */
function claimAndHandle<N extends EventName>(
  spec: ConsumerSpec<N>,
  event: { env: Envelope; payload: EventPayload<N>; messageId?: string },
  fields: Record<string, unknown>,
): Promise<Outcome> {
  const { env, payload, messageId } = event;
  return inTransaction(
    spec.service,
    async (uow): Promise<Outcome> => {
      const claimed = await run(uow.tx, CLAIM, [spec.consumer, env.event_id]);
      if (claimed.length === 0) return 'duplicate';
      await withLogContext(fields, () =>
        spec.handler({ eventId: env.event_id, type: spec.event, payload, envelope: env, messageId }, uow),
      );
      await failpoint('slow-handler');
      await failpoint('crash-mid-transaction');
      return 'processed';
    },
    { correlationId: env.correlation_id, causationId: env.event_id },
  );
}

type Decoded<N extends EventName> =
  { env: Envelope; payload: EventPayload<N> } | { problem: { reason: DeadLetter['reason']; error: string }; env?: Envelope };

function decode<N extends EventName>(event: N, message: PushedMessage | undefined): Decoded<N> {
  if (!message) return { problem: { reason: 'undecodable', error: 'not a Pub/Sub push message' } };
  if ([message.text ?? '', ...Object.entries(message.attributes).flat()].some(hasNul)) {
    return { problem: { reason: 'invalid', error: 'the message contains NUL characters' } };
  }
  const env = envelope.safeParse(message.attributes);
  if (!env.success) return { problem: { reason: 'invalid', error: `envelope: ${issues(env.error)}` } };
  if (env.data.event_type !== event) {
    return { problem: { reason: 'invalid', error: `event_type ${env.data.event_type} on the ${event} topic` }, env: env.data };
  }
  let json: unknown;
  try {
    json = JSON.parse(message.text ?? '');
  } catch {
    return { problem: { reason: 'undecodable', error: 'data is not JSON' }, env: env.data };
  }
  const payload = catalog[event].schema.safeParse(json);
  if (!payload.success) return { problem: { reason: 'invalid', error: `payload: ${issues(payload.error)}` }, env: env.data };
  return { env: env.data, payload: payload.data as EventPayload<N> };
}

async function deadLetter(
  spec: { consumer: string; event: EventName },
  message: PushedMessage | undefined,
  reason: DeadLetter['reason'],
  error: string,
  env?: Envelope,
): Promise<void> {
  await recordDeadLetter({
    consumer: spec.consumer,
    reason,
    error,
    eventId: env?.event_id,
    eventType: env?.event_type ?? spec.event,
    messageId: message?.messageId,
    attributes: message?.attributes,
    data: message?.text,
    topic: spec.event, // the topic this consumer's subscription reads: where a replay may send it again
  });
  log.error('event dead-lettered', {
    consumer: spec.consumer,
    event_id: env?.event_id,
    event_type: spec.event,
    message_id: message?.messageId,
    reason,
    error,
  });
}

/**
 * A duplicate may be a re-drive of a chain that lost a message further down: publish again what the
 * first delivery caused (relay.ts, republishCausedBy). Best effort — the duplicate itself is done.
 */
async function healDownstream(service: ServiceName, fields: { event_id: string; consumer: string }): Promise<void> {
  try {
    const republished = await republishCausedBy(service, fields.event_id);
    if (republished > 0) log.info('duplicate re-drove what it caused downstream', { ...fields, republished });
  } catch (error) {
    log.warn('could not re-publish what a duplicate caused', { ...fields, error });
  }
}

/**
 * Retrying cannot fix: a typed permanent error, a 4xx AppError, or a ZodError (a handler emitted
 * a payload its own schema refuses — deterministic, so it is dead-lettered at once with the reason).
 */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError || error instanceof ZodError || (error instanceof AppError && error.status < 500);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
