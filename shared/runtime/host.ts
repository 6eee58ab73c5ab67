import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadService } from '../../functions';
import { pushPath, services, consumerFunctionName, type ServiceName } from '../topology';
import { assertIdentityMayServe } from '../http/identity';
import { functionsOf } from './registry';

/**
 * Serves every function of one service on one port, each through its own Functions Framework
 * server (the same request pipeline as on Cloud Functions, including the push → CloudEvent
 * conversion). The API function answers at `/`; every other function at `/_functions/<name>/…`,
 * which is where the local push subscriptions and the scheduler point.
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
      const [name, ...rest] = url.slice(PREFIX.length).split('/');
      const target = servers.get(name);
      if (target) {
        req.url = '/' + rest.join('/');
        target(req, res);
        return;
      }
    }
    if (api) {
      servers.get(api.name)!(req, res);
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'not_found', message: 'no such function' } }));
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
    functionUrl: (name) => `${baseUrl}${PREFIX}${name}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const requestListener = (server: http.Server) => server.listeners('request')[0] as http.RequestListener;

export const pushEndpoint = (hosted: HostedService, functionName: string, project: string, topic: string) =>
  hosted.functionUrl(functionName) + pushPath(project, topic);
