import * as functions from '@google-cloud/functions-framework';
import type { ServiceName } from '../topology';

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

function remember(fn: RegisteredFunction): void {
  if (registered.has(fn.name)) throw new Error(`function ${fn.name} is registered twice`);
  registered.set(fn.name, fn);
}

export function registerHttp(fn: RegisteredFunction, handler: functions.HttpFunction): void {
  remember(fn);
  functions.http(fn.name, handler);
}

export function registerCloudEvent<T>(fn: RegisteredFunction, handler: functions.CloudEventFunction<T>): void {
  remember(fn);
  functions.cloudEvent(fn.name, handler);
}

export const functionsOf = (service: ServiceName): RegisteredFunction[] =>
  [...registered.values()].filter((f) => f.service === service);
