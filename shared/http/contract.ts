import { z, type ZodType } from 'zod';
import type { ServiceName } from '../topology';

/**
 * A service's HTTP contract: each route's input schemas (the ones its api.ts parses with), its
 * success answer and the errors it can give. The OpenAPI documents (scripts/docs) are generated
 * from these, and the API tests check every answer against them (checkAnswer).
 */
export type Access =
  /** no identity at all (health, a provider's signed webhook) */
  | 'public'
  /** admin or customer; a customer sees only its own objects */
  | 'anyone'
  /** a customer identity is required */
  | 'customer'
  /** an admin identity is required */
  | 'admin';

export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express syntax, exactly as registered: `/products/:sku`. */
  path: string;
  summary: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: ZodType;
  /** Request headers the route reads itself (besides identity and Idempotency-Key). */
  headers?: Record<string, { description: string; required: boolean }>;
  idempotencyKey?: boolean;
  rateLimited?: boolean;
  ok: Answer & { example?: unknown };
  /** Other documented answers with their own body (e.g. the health check's 503). */
  also?: Answer[];
  /** Errors this route gives besides the ones every route of its kind gives (see errorStatuses). */
  errors?: number[];
}

export interface Answer {
  status: number;
  description: string;
  schema?: ZodType;
}

export interface ServiceContract {
  service: ServiceName;
  description: string;
  routes: Route[];
}

export const defineContract = (contract: ServiceContract): ServiceContract => contract;

/** `{"error":{"code","message","details"?}}`, the one error shape of every API. */
export const errorBody = z
  .object({
    error: z
      .object({
        code: z.string().describe('machine-readable, e.g. invalid_input, not_found, cart_locked, rate_limited'),
        message: z.string().describe('for people'),
        details: z.unknown().optional().describe('e.g. the zod issues of a 400'),
      })
      .strict(),
  })
  .strict();

/** Keyset pagination: `{data, next_cursor}`; pass next_cursor back as `?cursor=` for the next page. */
export const page = <T extends ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable().describe('null on the last page') });

/** An amount of money in major units with at most 2 decimals (stored as integer cents). */
export const amount = z.number().positive().describe('major units, at most 2 decimals');
/** A timestamp as JSON gives it: ISO 8601 in UTC. */
export const timestamp = z.iso.datetime({ offset: true });

export const healthBody = z.object({
  status: z.enum(['ok', 'unavailable']),
  service: z.string(),
  checks: z.record(z.string(), z.string()).optional().describe('admins only: each check, run fresh: "ok" or "failing: <code>"'),
  failing: z.array(z.string()).optional().describe('others, when unavailable: the names of the failing checks'),
});

/** The health route every API answers (shared/http/api.ts). */
export const healthRoute: Route = {
  method: 'get',
  path: '/',
  summary: 'Health: the service, its database and Pub/Sub (cached briefly; an admin gets every check, fresh)',
  access: 'public',
  ok: { status: 200, description: 'healthy', schema: healthBody },
  also: [{ status: 503, description: 'a dependency is unreachable', schema: healthBody }],
};

/** Every status a route can answer with an error body. */
export function errorStatuses(route: Route): number[] {
  const statuses = new Set(route.errors ?? []);
  if (route.access !== 'public') [400, 401].forEach((s) => statuses.add(s)); // malformed X-Customer-Id; bearer mode without a valid token
  if (route.access === 'admin') statuses.add(403);
  if (route.params || route.query || route.body || route.idempotencyKey) statuses.add(400);
  if (route.method === 'post' || route.method === 'put') [400, 413, 415].forEach((s) => statuses.add(s)); // bad JSON, too large, not JSON
  if (route.params) statuses.add(404);
  if (route.idempotencyKey) statuses.add(409); // the key reused for another request
  if (route.rateLimited) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

const pathPattern = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\?:([A-Za-z_]+)/g, '[^/]+')}$`);

/** The documented route that answers `method path` (query string ignored), if any. */
export function findRoute(contract: ServiceContract, method: string, url: string): Route | undefined {
  const path = url.split('?')[0];
  return [healthRoute, ...contract.routes].find((r) => r.method === method.toLowerCase() && pathPattern(r.path).test(path));
}

/**
 * What is wrong with an answer, measured against the contract: an undocumented status, or a body
 * that does not match the documented schema. Empty when the answer is as documented.
 */
export function checkAnswer(contract: ServiceContract, method: string, url: string, status: number, body: unknown): string[] {
  const route = findRoute(contract, method, url);
  const where = `${method.toUpperCase()} ${url} → ${status}`;
  const mismatch = (schema: ZodType | undefined) => {
    const result = schema?.safeParse(body);
    return !result || result.success
      ? []
      : [`${where}: body does not match the documented schema: ${z.prettifyError(result.error)}`];
  };
  const answer = route && [route.ok, ...(route.also ?? [])].find((a) => a.status === status);
  if (answer) return mismatch(answer.schema);
  if (status < 400)
    return [route ? `${where}: status ${status} is not documented` : `${where}: no documented route answers this`];
  if (route && !errorStatuses(route).includes(status)) return [`${where}: status ${status} is not documented`];
  return mismatch(errorBody);
}
