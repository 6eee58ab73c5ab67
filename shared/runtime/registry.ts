import domain from 'node:domain';
import vm from 'node:vm';
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
  const registeredHandler = fn.kind === 'api' ? handler : withoutErrorText(fn, handler);
  remember(fn, registeredHandler);
  functions.http(fn.name, registeredHandler);
}

export function registerCloudEvent<T>(fn: RegisteredFunction, handler: functions.CloudEventFunction<T>): void {
  const registeredHandler = withoutErrorText(fn, handler);
  remember(fn, registeredHandler);
  functions.cloudEvent(fn.name, registeredHandler);
}

/**
 * The Functions Framework creates a Node `domain` for every request, only to answer 500 when a stray callback throws.
 * The first domain created enables the domain module's async hook for the life of the process, and from then on every
 * promise and callback pays an init, before, after and destroy hook: measured, a knex transaction's hundreds of
 * promises made that a fifth of a service's CPU and a promise-heavy loop 14 times slower (docs/PERFORMANCE.md).
 * So the framework gets an inert domain instead: it runs the request, binds nothing and catches nothing, and
 * `process.domain` (which the framework reads to bind its completion callback) points at it. A failure still
 * answers 500 through the framework's promise handling; an exception thrown in a stray callback reaches the
 * process-wide handler instead: the instance answers 500 and restarts, and Pub/Sub redelivers (docs/decisions.md).
 */
function installInertDomain(): void {
  // a domain's whole surface: besides the framework (`on`, `run`, `bind`), Node itself enters and exits
  // `process.domain` around callbacks whose receiver is the process (tried: without `enter`, suites fail)
  const inert = {
    members: [],
    on: () => inert,
    once: () => inert,
    run: <R>(fn: (...args: unknown[]) => R, ...args: unknown[]): R => fn(...args),
    bind: <F>(fn: F): F => fn,
    intercept: <F>(fn: F): F => fn,
    add: () => undefined,
    remove: () => undefined,
    enter: () => undefined,
    exit: () => undefined,
    dispose: () => undefined,
  };
  const domainModule = domain as unknown as { create: () => unknown; createDomain: () => unknown };
  domainModule.create = domainModule.createDomain = () => inert;
  // the process itself: under jest, `process` is a copy whose `domain` only reads the real one
  (vm.runInThisContext('process') as { domain?: unknown }).domain = inert;
}
installInertDomain();

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
