import { z, type ZodType } from 'zod';
import { errorBody, errorStatuses, healthRoute, type Route, type ServiceContract } from '../../shared/http/contract';
import { services } from '../../shared/topology';

/**
 * OpenAPI 3.1 for one service, from its contract: zod 4's own JSON Schema output (draft 2020-12,
 * the dialect OpenAPI 3.1 uses), request schemas as the API parses them (`io: 'input'`).
 */
type Json = Record<string, unknown>;

export function jsonSchema(schema: ZodType, io: 'input' | 'output' = 'input'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    // a named format (uuid, email, date-time) says it all; zod's long regex beside it only hurts reading
    override: ({ jsonSchema }) => {
      if (jsonSchema.format && jsonSchema.pattern) delete jsonSchema.pattern;
    },
  }) as Json;
  return rest;
}

const ERRORS: Record<number, { description: string; code: string; message: string }> = {
  400: {
    description: 'invalid input (zod issues in details), malformed X-Customer-Id or cursor',
    code: 'invalid_input',
    message: 'request is not valid',
  },
  401: {
    description: 'no valid identity (bearer mode: missing or invalid token; a customer route called as admin)',
    code: 'unauthorized',
    message: 'a bearer token is required',
  },
  403: { description: 'an admin identity is required', code: 'forbidden', message: 'admin identity required' },
  404: { description: "not found (also another customer's object)", code: 'not_found', message: 'order not found' },
  409: {
    description: 'conflict with the current state (e.g. cart locked, duplicate, Idempotency-Key reused)',
    code: 'conflict',
    message: 'the cart is being turned into an order and cannot change',
  },
  413: {
    description: 'body larger than the limit (64 KiB by default)',
    code: 'payload_too_large',
    message: 'body is larger than 65536 bytes',
  },
  415: {
    description: 'body is not application/json',
    code: 'unsupported_media_type',
    message: 'request body must be application/json',
  },
  429: {
    description: 'rate limited; Retry-After says when to retry',
    code: 'rate_limited',
    message: 'too many cart changes; retry in 12 s',
  },
  503: { description: 'a dependency is unreachable', code: 'unavailable', message: 'the local SMTP sink does not answer' },
};

const SECURITY = {
  public: [],
  admin: [{}, { bearer: [] }],
  customer: [{ customerHeader: [] }, { bearer: [] }],
  anyone: [{}, { customerHeader: [] }, { bearer: [] }],
} as const;

const ACCESS_TEXT = {
  public: 'Access: public (no identity).',
  admin: 'Access: admin (header mode: no X-Customer-Id; bearer mode: a token with the admin role).',
  customer: 'Access: a customer (X-Customer-Id, or a bearer token whose claim is the customer id).',
  anyone:
    "Access: any caller (admin or customer); a customer's own objects are visible to that customer only (anyone else's is a 404).",
} as const;

/** `/products/:sku` → `/products/{sku}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

function parameters(route: Route): Json[] {
  const fields = (where: 'path' | 'query', object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, field]) => ({
      name,
      in: where,
      required: where === 'path' || !(field as ZodType).safeParse(undefined).success,
      schema: jsonSchema(field as ZodType),
    }));
  const headers = Object.entries(route.headers ?? {}).map(([name, h]) => ({
    name,
    in: 'header',
    required: h.required,
    description: h.description,
    schema: { type: 'string' },
  }));
  const idempotency = route.idempotencyKey ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : [];
  return [...fields('path', route.params), ...fields('query', route.query), ...headers, ...idempotency];
}

function operation(service: string, route: Route): Json {
  const { ok } = route;
  const body = (schema: ZodType | undefined, example?: unknown) =>
    schema && {
      content: { 'application/json': { schema: jsonSchema(schema, 'output'), ...(example === undefined ? {} : { example }) } },
    };
  const responses: Json = { [ok.status]: { description: ok.description, ...body(ok.schema, ok.example) } };
  for (const other of route.also ?? []) responses[other.status] = { description: other.description, ...body(other.schema) };
  for (const status of errorStatuses(route)) responses[status] ??= { $ref: `#/components/responses/Error${status}` };
  const params = parameters(route);
  return {
    operationId: `${service}.${route.method}${route.path === '/' ? 'Health' : ''}${route.path.replace(/[/:]+([a-z_]*)/gi, (_m, w: string) => (w ? w[0].toUpperCase() + w.slice(1) : ''))}`,
    summary: route.summary,
    description: ACCESS_TEXT[route.access],
    tags: [service],
    security: SECURITY[route.access],
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: !route.body.safeParse(undefined).success,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApi(contract: ServiceContract, version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of [healthRoute, ...contract.routes]) {
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation(contract.service, route);
  }
  const errorResponse = (status: number) => {
    const { description, code, message } = ERRORS[status];
    const retryAfter =
      status === 429 ? { headers: { 'Retry-After': { description: 'whole seconds', schema: { type: 'integer' } } } } : {};
    return {
      description,
      ...retryAfter,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: { error: { code, message } } },
      },
    };
  };
  return {
    openapi: '3.1.0',
    info: {
      title: `ShopFlow ${contract.service} API`,
      version,
      description: [
        contract.description,
        '',
        'Bodies are JSON with snake_case fields; money is a number in major units with at most 2 decimals.',
        'Lists take `?limit=&cursor=` and answer `{data, next_cursor}`.',
        'Identity: in header mode (local, or behind an authenticating gateway) a request without `X-Customer-Id` acts as an admin',
        'and one with it as that customer; in bearer mode a verified JWT decides and the header is ignored.',
        'Every error is `{"error":{"code","message","details"?}}`.',
        '',
        'Generated from the zod schemas by `npm run docs:generate`; do not edit.',
      ].join('\n'),
    },
    servers: [{ url: `http://127.0.0.1:${services[contract.service].port}`, description: 'npm run dev' }],
    tags: [{ name: contract.service, description: contract.description }],
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      responses: Object.fromEntries(Object.keys(ERRORS).map((s) => [`Error${s}`, errorResponse(Number(s))])),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'A retry with the same key answers the first result and changes nothing; the key reused for another request is a 409.',
          schema: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
      securitySchemes: {
        customerHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Customer-Id',
          description: 'Header mode: the calling customer (a UUID). Without it the caller is an admin.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Bearer mode: a JWT from the configured issuer; its claim (sub by default) is the customer, the admin role an admin.',
        },
      },
    },
  };
}
