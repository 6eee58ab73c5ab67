import type { Express } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServiceContract } from '../../shared/http/contract';
import { serviceNames, type ServiceName } from '../../shared/topology';

/**
 * Every service's HTTP API, found by convention: `functions/<service>/api.ts` exports the express
 * app `<service>Api`, and `functions/<service>/contract.ts` its contract `<service>Contract`.
 * Loading an api module builds its app (it needs settings, but makes no connection).
 */

export interface Api {
  service: ServiceName;
  contract: ServiceContract | undefined;
  app: Express;
}

const functionsDir = path.resolve(__dirname, '../../functions');
const hasFile = (service: string, file: string) =>
  ['.ts', '.js'].some((ext) => existsSync(path.join(functionsDir, service, file + ext)));

/** The services that have an HTTP API (in topology order). */
export const apiServices: ServiceName[] = serviceNames.filter((s) => hasFile(s, 'api'));

export function loadApi(service: ServiceName): Api {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (file: string) => require(path.join(functionsDir, service, file)) as Record<string, unknown>;
  const app = load('api')[`${service}Api`] as Express | undefined;
  if (!app) throw new Error(`functions/${service}/api.ts does not export ${service}Api`);
  const contract = hasFile(service, 'contract')
    ? (load('contract')[`${service}Contract`] as ServiceContract | undefined)
    : undefined;
  return { service, contract, app };
}
