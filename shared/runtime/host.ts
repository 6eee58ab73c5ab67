import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorRequestHandler } from 'express';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { loadService } from '../../functions';
import { pushPath, services, consumerFunctionName, type ServiceName } from '../topology';
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
  loadService(service);
  const fns = functionsOf(service);
  const missing = services[service].consumes
    .map((e) => consumerFunctionName(service, e))
    .filter((n) => !fns.some((f) => f.name === n));
  if (missing.length > 0) throw new Error(`${service}: topology lists consumers with no function: ${missing.join(', ')}`);

  // Requests go straight to each framework server's listener: emitting 'request' on a second server
  // would have the HTTP instrumentation trace every request twice.
  const servers = new Map(fns.map((f) => [f.name, requestListener(answerFrameworkErrorsAsJson(getTestServer(f.name)))]));
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

/**
 * The Functions Framework parses request bodies before user code runs; its fallback error page
 * for a malformed body is HTML with a stack trace (outside NODE_ENV=production). Give it the
 * API's JSON error shape instead. On Cloud Functions NODE_ENV=production hides the stack.
 */
function answerFrameworkErrorsAsJson(server: http.Server): http.Server {
  const app = server.listeners('request')[0] as unknown as { use: (h: ErrorRequestHandler) => void };
  app.use((err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const [status, code, message] = frameworkError(err);
    res.status(status).json({ error: { code, message } });
  });
  return server;
}

/** What the framework's own body/URL parsing failed on, in our error vocabulary. */
function frameworkError(err: { type?: string; status?: number } | undefined): [number, string, string] {
  switch (err?.type) {
    case 'entity.parse.failed':
      return [400, 'invalid_json', 'request body is not valid JSON'];
    case 'entity.too.large':
      return [413, 'payload_too_large', 'request body is too large'];
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return [415, 'unsupported_media_type', 'request body encoding is not supported'];
  }
  if (err instanceof URIError) return [400, 'bad_request', 'the URL is not correctly encoded'];
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  return status === 500 ? [500, 'internal_error', 'internal error'] : [status, 'bad_request', 'request failed'];
}

export const pushEndpoint = (hosted: HostedService, functionName: string, project: string, topic: string) =>
  hosted.functionUrl(functionName) + pushPath(project, topic);
