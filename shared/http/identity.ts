import type { Request } from 'express';
import type { createRemoteJWKSet as RemoteJWKSet } from 'jose';
import { config } from '../config';
import { badRequest, forbidden, unauthorized } from '../errors';
import { uuid } from '../events/fields';
import { googleMachine, loopbackOnly } from '../runtime/platform';

/**
 * Who is calling. Header mode (local, or behind an authenticating gateway): no X-Customer-Id
 * means admin, a UUID means that customer. JWT mode: a verified bearer token; the header is ignored.
 */
export type Caller = { role: 'admin' } | { role: 'customer'; customerId: string };

export async function identify(req: Request): Promise<Caller> {
  return config().AUTH_MODE === 'jwt' ? fromToken(req.get('authorization')) : fromHeader(req.get('x-customer-id'));
}

function fromHeader(header: string | undefined): Caller {
  if (header === undefined) return { role: 'admin' };
  const parsed = uuid.safeParse(header.trim());
  if (!parsed.success) throw badRequest('invalid_customer_id', 'X-Customer-Id must be a UUID');
  return { role: 'customer', customerId: parsed.data.toLowerCase() };
}

let jwks: ReturnType<typeof RemoteJWKSet> | undefined;

/**
 * A bearer token is accepted only when signed by a key of the configured JWKS with a pinned
 * (asymmetric) algorithm, issued by JWT_ISSUER for JWT_AUDIENCE, and not expired; a token without
 * `exp` is refused. Admin is the configured claim (JWT_ADMIN_CLAIM holding JWT_ADMIN_ROLE);
 * otherwise JWT_CUSTOMER_CLAIM must be a customer id.
 */
async function fromToken(authorization: string | undefined): Promise<Caller> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!token) throw unauthorized('a bearer token is required');
  const c = config();
  // loaded on first use: header mode never pays jose's ~35 ms at cold start
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createRemoteJWKSet, jwtVerify } = require('jose') as typeof import('jose');
  jwks ??= createRemoteJWKSet(new URL(c.JWT_JWKS_URL!));
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, {
      issuer: c.JWT_ISSUER!,
      audience: c.JWT_AUDIENCE!,
      algorithms: c.JWT_ALGORITHMS,
      requiredClaims: ['exp'],
      clockTolerance: 5,
    }));
  } catch {
    throw unauthorized('invalid or expired token');
  }
  if (isAdmin(claims[c.JWT_ADMIN_CLAIM], c.JWT_ADMIN_ROLE)) return { role: 'admin' };
  const customerId = uuid.safeParse(claims[c.JWT_CUSTOMER_CLAIM]);
  if (!customerId.success) throw unauthorized(`token claim ${c.JWT_CUSTOMER_CLAIM} is not a customer id`);
  return { role: 'customer', customerId: customerId.data.toLowerCase() };
}

const isAdmin = (claim: unknown, role: string): boolean =>
  Array.isArray(claim) ? claim.includes(role) : claim === role || (role === 'true' && claim === true);

/**
 * Start-up check for a server about to listen on `address`: on a Compute Engine or GKE machine
 * (no variable announces those), header identity serves this machine only (loopback), unless
 * explicitly allowed behind an authenticating gateway. Serverless runtimes are refused by config.
 */
export function assertIdentityMayServe(address: string, onGoogleMachine: () => boolean = googleMachine): void {
  const c = config();
  if (c.AUTH_MODE !== 'header' || c.ALLOW_HEADER_AUTH_ON_GCP || loopbackOnly(address) || !onGoogleMachine()) return;
  throw new Error(
    `header identity refuses to serve ${address} on a Google Cloud machine; set AUTH_MODE=jwt, or ALLOW_HEADER_AUTH_ON_GCP=true behind an authenticating gateway`,
  );
}

export function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') throw forbidden();
}

export function requireCustomer(caller: Caller): string {
  if (caller.role !== 'customer') throw unauthorized('a customer identity (X-Customer-Id) is required');
  return caller.customerId;
}

/** The customer id a caller may see: its own, or anyone's for an admin (undefined = no filter). */
export const visibleCustomer = (caller: Caller): string | undefined =>
  caller.role === 'customer' ? caller.customerId : undefined;

/**
 * The customer a list is scoped to: a customer sees only its own (asking for someone else's
 * gives `null`, an empty list); an admin sees everyone's, or filters by `requested`.
 */
export function listScope(caller: Caller, requested?: string): string | undefined | null {
  const wanted = requested?.toLowerCase();
  if (caller.role === 'admin') return wanted;
  return wanted && wanted !== caller.customerId ? null : caller.customerId;
}
