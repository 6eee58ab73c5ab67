import http, { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ErrorRequestHandler, Express } from 'express';
import { config } from '../config';
import { assertIdentityMayServe } from '../http/identity';

/**
 * What every function does before the Functions Framework touches a request. The framework
 * buffers and inflates any body (gzip, deflate, br; limit 1024 MB) before user code runs, so our
 * checks must sit in front of it: a compressed body is a 415, a declared length over the limit
 * is a 413, a chunked body is cut off at the limit (413), a body that is not JSON is a 415, all
 * answered without buffering the body. The framework's own parse errors get our JSON error shape
 * (its default is an HTML page, with a stack outside NODE_ENV=production).
 *
 * The framework builds its server in `getServer` after loading our code, both under its CLI (how
 * Cloud Functions runs us) and in `getTestServer` (the local host), and calls it through its module
 * object; wrapping that export once puts the guard in front of every server it creates.
 */
export type FunctionKind = 'api' | 'consumer' | 'job' | 'push-endpoint';

type GetServer = (userFunction: unknown, options: unknown) => http.Server;
const frameworkServerModule = path.join(path.dirname(require.resolve('@google-cloud/functions-framework')), 'server.js');
let installed = false;

/** Wraps the framework's server factory; `kindOf` tells which limit a function's bodies get. */
export function guardFrameworkServers(kindOf: (userFunction: unknown) => FunctionKind | undefined): void {
  if (installed) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const framework = require(frameworkServerModule) as { getServer: GetServer };
  const getServer = framework.getServer;
  if (typeof getServer !== 'function') throw new Error('the Functions Framework no longer exports getServer');
  framework.getServer = (userFunction, options) => guardServer(getServer(userFunction, options), kindOf(userFunction));
  installed = true;
}

function guardServer(server: http.Server, kind: FunctionKind | undefined): http.Server {
  server.once('listening', () => assertIdentityMayServe((server.address() as AddressInfo).address));
  const app = server.listeners('request')[0] as unknown as Express;
  app.use(frameworkErrorsAsJson);
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const limit = bodyLimit(kind);
    if (refuseBody(req, res, limit)) return;
    if (req.headers['transfer-encoding'] === undefined) app(req, res);
    else readChunkedBody(req, res, limit, (known) => app(known, res));
  });
  return server;
}

/** The API's limit for API functions; Pub/Sub's push size for the functions only Pub/Sub and the scheduler call. */
const bodyLimit = (kind: FunctionKind | undefined) =>
  kind === undefined || kind === 'api' ? config().HTTP_BODY_LIMIT_BYTES : config().PUSH_BODY_LIMIT_BYTES;

const isJson = (type: string | undefined) => /^application\/json\s*(;|$)/i.test(type ?? '');

/** Answers (and returns true) when the body must not be read. */
export function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): boolean {
  const length = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (length === undefined || Number(length) === 0)) return false;
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    return refuse(res, 415, 'unsupported_media_type', 'compressed request bodies are not accepted');
  }
  if (!isJson(req.headers['content-type'])) {
    return refuse(res, 415, 'unsupported_media_type', 'request body must be application/json');
  }
  if (Number(length) > limit) return refuse(res, 413, 'payload_too_large', `body is larger than ${limit} bytes`);
  return false;
}

function refuse(res: http.ServerResponse, status: number, code: string, message: string, unreadBody = true): true {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    // a body left unread cannot be skipped to reach a next request on the connection
    ...(unreadBody ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify({ error: { code, message } }));
  return true;
}

/**
 * A body without a declared length (chunked) is read here, up to the limit, and handed to the
 * framework as a request with that length, so the framework never reads an open-ended stream.
 * Past the limit the rest is drained unbuffered and the answer is a 413.
 */
function readChunkedBody(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  limit: number,
  then: (req: http.IncomingMessage) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= limit) {
      chunks.push(chunk);
      return;
    }
    req.off('data', onData).off('end', onEnd).resume();
    chunks.length = 0;
    refuse(res, 413, 'payload_too_large', `body is larger than ${limit} bytes`, false);
  };
  const onEnd = () => then(replay(req, Buffer.concat(chunks)));
  req.on('data', onData).once('end', onEnd);
}

/** The same request with its body known: what the framework's body parser reads instead of the socket. */
function replay(req: http.IncomingMessage, body: Buffer): http.IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  Object.assign(copy, {
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    rawHeaders: req.rawHeaders,
    headers: { ...req.headers, 'transfer-encoding': undefined, 'content-length': String(body.length) },
  });
  delete copy.headers['transfer-encoding'];
  copy.push(body);
  copy.push(null);
  copy.complete = true;
  return copy;
}

const frameworkErrorsAsJson: ErrorRequestHandler = (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  const [status, code, message] = frameworkError(err);
  res.status(status).json({ error: { code, message } });
};

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
