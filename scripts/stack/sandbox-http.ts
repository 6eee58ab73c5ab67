import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/**
 * What the local provider sandboxes (payment provider, carrier) share: a JSON HTTP server on
 * loopback with bearer API-key auth, Idempotency-Key replay (the same key with another body is a
 * 409), an outage switch (every call answers 503 while `down`), and stop/start on the same port.
 */
export type Reply = { status: number; body: unknown };
export type Route = (request: { method: string; path: string; body: Record<string, unknown> }) => Reply | Promise<Reply>;

export interface SandboxServer {
  url: string;
  port: number;
  /** While true the sandbox answers every API call with 503 (a provider outage). */
  down: boolean;
  close(): Promise<void>;
}

export const error = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });

/** A number in [0, 1) that depends only on the text: the same reference always gets the same sandbox luck. */
export const luck = (text: string): number => createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;

export async function startSandboxServer(options: {
  name: string;
  apiKey: string;
  port?: number;
  route: Route;
}): Promise<SandboxServer> {
  const replays = new Map<string, { fingerprint: string; reply: Reply }>();
  const state = { down: false };
  const server = http.createServer((req, res) => {
    void handle(req).then((reply) => {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });

  async function handle(req: http.IncomingMessage): Promise<Reply> {
    if (state.down) return error(503, 'unavailable', `${options.name} is down (sandbox outage)`);
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return error(401, 'unauthorized', 'invalid API key');
    const text = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return error(400, 'invalid_json', 'body is not JSON');
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    const key = req.headers['idempotency-key'];
    if (method !== 'POST' || typeof key !== 'string') return options.route({ method, path, body });
    const fingerprint = `${path} ${text}`;
    const seen = replays.get(key);
    if (seen) {
      return seen.fingerprint === fingerprint
        ? seen.reply
        : error(409, 'idempotency_conflict', 'key reused with another request');
    }
    const reply = await options.route({ method, path, body });
    if (reply.status < 500) replays.set(key, { fingerprint, reply });
    return reply;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
