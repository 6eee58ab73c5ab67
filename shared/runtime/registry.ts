import * as functions from '@google-cloud/functions-framework';
import { log } from '../logger';
import type { ServiceName } from '../topology';
import { guardFrameworkServers } from './edge';

/**
 * Every function is registered with the Functions Framework through here, so the local
 * host knows which functions belong to which service and how to route to them.
 */
export interface RegisteredFunction {
  name: string;
  service: ServiceName;
  kind: 'api' | 'consumer' | 'job' | 'push-endpoint';
}

const registered = new Map<string, RegisteredFunction>();
const byHandler = new WeakMap<object, RegisteredFunction>();

function remember(fn: RegisteredFunction, handler: object): void {
  if (registered.has(fn.name)) throw new Error(`function ${fn.name} is registered twice`);
  registered.set(fn.name, fn);
  byHandler.set(handler, fn);
  // every server the framework builds for our functions checks bodies before it parses them
  guardFrameworkServers((userFunction) => byHandler.get(userFunction as object)?.kind);
}

export function registerHttp(fn: RegisteredFunction, handler: functions.HttpFunction): void {
  // an API (an express app) answers its own errors in the API's shape
  const registeredHandler = outsideDomain(fn.kind === 'api' ? handler : withoutErrorText(fn, handler));
  remember(fn, registeredHandler);
  functions.http(fn.name, registeredHandler);
}

export function registerCloudEvent<T>(fn: RegisteredFunction, handler: functions.CloudEventFunction<T>): void {
  const registeredHandler = outsideDomain(withoutErrorText(fn, handler));
  remember(fn, registeredHandler);
  functions.cloudEvent(fn.name, registeredHandler);
}

/**
 * Runs the function outside the `domain` the Functions Framework opens for each request. While a domain is active,
 * every promise and callback the function creates is tagged with it and enters and leaves it on each step; with a
 * knex transaction's hundreds of promises per request that was a fifth of a service's CPU under load (measured,
 * docs/PERFORMANCE.md). What the domain caught (an exception thrown in a stray callback) is then the framework's
 * process-wide handler's: the instance answers 500 and restarts, and Pub/Sub redelivers (docs/decisions.md).
 */
function outsideDomain<A extends unknown[], R>(handler: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    const active = (process as { domain?: { exit(): void; enter(): void } | null }).domain;
    if (!active) return handler(...args);
    active.exit();
    try {
      return handler(...args);
    } finally {
      active.enter();
    }
  };
}

/**
 * A failure still answers 500 (Pub/Sub and the scheduler retry), but with no error text: outside
 * NODE_ENV=production the framework sends the error's message, which can hold SQL, hosts or users.
 * The error itself goes to the log (consumers log their failures in the consumer wrapper).
 */
function withoutErrorText<A extends unknown[]>(fn: RegisteredFunction, handler: (...args: A) => unknown) {
  return async (...args: A): Promise<void> => {
    try {
      await handler(...args);
    } catch (error) {
      if (fn.kind !== 'consumer') log.error('function failed', { function: fn.name, error });
      throw new Error('internal error', { cause: error });
    }
  };
}

export const functionsOf = (service: ServiceName): RegisteredFunction[] =>
  [...registered.values()].filter((f) => f.service === service);
