import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadService } from '../../functions';
import { pushPath, services, consumerFunctionName, type ServiceName } from '../../shared/topology';
import { assertIdentityMayServe } from '../../shared/http/identity';
import { functionsOf } from '../../shared/runtime/registry';
import { isLocalPushToken, localFunctionUrl } from './push-token';

/**
 * The local host (dev stack and tests only; Cloud Functions serves each function itself): every
 * function of one service on one port, each through its own Functions Framework server (the same
 * request pipeline as on Cloud Functions, including the push → CloudEvent conversion and the body
 * checks of shared/runtime/edge.ts). The API function answers at `/`; every other function at
 * `/_functions/<token>/<name>/…` (./push-token.ts), where the local push subscriptions and the
 * scheduler point. Without the run's token that path is a 404 and reaches no function.
 */
export interface HostedService {
  service: ServiceName;
  port: number;
  baseUrl: string;
  functionUrl(name: string): string;
  close(): Promise<void>;
}

const PREFIX = '/_functions/';

export async function hostService(service: ServiceName, port: number, host = '127.0.0.1'): Promise<HostedService> {
  assertIdentityMayServe(host);
  loadService(service);
  const fns = functionsOf(service);
  const missing = services[service].consumes
    .map((e) => consumerFunctionName(service, e))
    .filter((n) => !fns.some((f) => f.name === n));
  if (missing.length > 0) throw new Error(`${service}: topology lists consumers with no function: ${missing.join(', ')}`);

  // Requests go straight to each framework server's listener: emitting 'request' on a second server
  // would have the HTTP instrumentation trace every request twice.
  const servers = new Map(fns.map((f) => [f.name, requestListener(getTestServer(f.name))]));
  const api = fns.find((f) => f.kind === 'api');
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith(PREFIX)) {
      const [token, name, ...rest] = url.slice(PREFIX.length).split('/');
      const target = isLocalPushToken(token) && name !== undefined ? servers.get(name) : undefined;
      if (!target) return notFound(res);
      req.url = '/' + rest.join('/');
      return target(req, res);
    }
    if (api) return servers.get(api.name)!(req, res);
    notFound(res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const baseUrl = `http://${host}:${actualPort}`;
  return {
    service,
    port: actualPort,
    baseUrl,
    functionUrl: (name) => localFunctionUrl(baseUrl, name),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const notFound = (res: http.ServerResponse) =>
  res
    .writeHead(404, { 'content-type': 'application/json' })
    .end(JSON.stringify({ error: { code: 'not_found', message: 'no such function' } }));

const requestListener = (server: http.Server) => server.listeners('request')[0] as http.RequestListener;

export const pushEndpoint = (hosted: HostedService, functionName: string, project: string, topic: string) =>
  hosted.functionUrl(functionName) + pushPath(project, topic);
