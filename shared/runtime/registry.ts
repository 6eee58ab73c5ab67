import * as functions from '@google-cloud/functions-framework';
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
  remember(fn, handler);
  functions.http(fn.name, handler);
}

export function registerCloudEvent<T>(fn: RegisteredFunction, handler: functions.CloudEventFunction<T>): void {
  remember(fn, handler);
  functions.cloudEvent(fn.name, handler);
}

export const functionsOf = (service: ServiceName): RegisteredFunction[] =>
  [...registered.values()].filter((f) => f.service === service);
