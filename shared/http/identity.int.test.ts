import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

/**
 * Production identity: bearer tokens verified against a JWKS served over HTTP; the header is ignored.
 * Configured the way Firebase / Identity Platform ID tokens are (README): issuer and audience of the
 * project, RS256, the customer id in a custom claim and an `admin: true` custom claim for admins.
 */
let system: TestSystem;
let customers: HttpClient;
let jwks: http.Server;
let key: KeyLike;
let publicPem: string;
let foreignKey: KeyLike;
let me: string;
const PROJECT = 'shopflow-test';
const ISSUER = `https://securetoken.google.com/${PROJECT}`;
const ME = '0b6f2b1e-8a2f-4f55-9d1f-5f2d7b1a0c11';

interface TokenOptions {
  signer?: KeyLike;
  issuer?: string;
  audience?: string;
  expires?: string | null;
}

const token = (claims: Record<string, unknown>, options: TokenOptions = {}) => {
  const jwt = new SignJWT({ sub: 'firebase-uid-1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? PROJECT)
    .setIssuedAt();
  if (options.expires !== null) jwt.setExpirationTime(options.expires ?? '5m');
  return jwt.sign(options.signer ?? key);
};
const asBearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
const bearer = async (claims: Record<string, unknown>, options: TokenOptions = {}) => asBearer(await token(claims, options));

/** A token with a header and signature of our choosing (what jose refuses to produce). */
const handMade = (header: Record<string, unknown>, claims: Record<string, unknown>, sign: (input: string) => string) => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(input)}`;
};
const validClaims = () => ({
  iss: ISSUER,
  aud: PROJECT,
  sub: 'firebase-uid-1',
  customer_id: ME,
  admin: true,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 300,
});

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  publicPem = await exportSPKI(pair.publicKey);
  foreignKey = (await generateKeyPair('RS256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AUTH_MODE: 'jwt',
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: PROJECT,
    JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    JWT_CUSTOMER_CLAIM: 'customer_id',
    JWT_ADMIN_CLAIM: 'admin',
    JWT_ADMIN_ROLE: 'true',
  });
  system = await startSystem(['customers']);
  customers = system.http('customers');
  const created = await customers('POST', '/customers', {
    body: { name: 'Me', email: 'me@example.com' },
    headers: await bearer({ admin: true }),
  });
  expect(created.status).toBe(201);
  me = created.body.id;
});
afterAll(async () => {
  await system.stop();
  jwks.close();
});

describe('JWT identity', () => {
  test('without a token a request is a 401, and X-Customer-Id is ignored', async () => {
    expect((await customers('GET', '/customers')).status).toBe(401);
    expect((await customers('GET', `/customers/${ME}`, { customer: ME })).status).toBe(401);
  });

  test('a customer token acts as the customer named by the configured claim only', async () => {
    const headers = await bearer({ customer_id: me });
    expect((await customers('GET', `/customers/${me}`, { headers })).status).toBe(200);
    expect((await customers('GET', '/customers', { headers })).status).toBe(403);
    expect((await customers('GET', `/customers/${ME}`, { headers })).status).toBe(404);
  });

  test('the configured admin claim makes an admin', async () => {
    expect((await customers('GET', '/customers', { headers: await bearer({ admin: true }) })).status).toBe(200);
  });

  test('a claim other than the configured one does not make an admin', async () => {
    const headers = await bearer({ roles: ['admin'], admin: 'yes', customer_id: me });
    expect((await customers('GET', '/customers', { headers })).status).toBe(403);
  });

  test.each<[string, () => Promise<Record<string, string>>]>([
    ['signed by another key', () => bearer({ customer_id: ME }, { signer: foreignKey })],
    ['from another issuer', () => bearer({ customer_id: ME }, { issuer: 'https://securetoken.google.com/evil' })],
    ['for another audience', () => bearer({ customer_id: ME }, { audience: 'another-project' })],
    ['carrying the admin claim for another audience', () => bearer({ admin: true }, { audience: 'another-project' })],
    ['that has expired', () => bearer({ customer_id: ME }, { expires: '-1m' })],
    ['without an expiry', () => bearer({ customer_id: ME, admin: true }, { expires: null })],
    ['whose customer claim is not a customer id', () => bearer({ customer_id: 'robot' })],
    ['without the customer claim (only sub)', () => bearer({ sub: ME })],
    ['with alg none', async () => asBearer(handMade({ alg: 'none', typ: 'JWT' }, validClaims(), () => ''))],
    [
      'signed HS256 with the public key as the secret',
      async () =>
        asBearer(
          handMade({ alg: 'HS256', typ: 'JWT', kid: 'k1' }, validClaims(), (input) =>
            createHmac('sha256', publicPem).update(input).digest('base64url'),
          ),
        ),
    ],
  ])('a token %s is a 401', async (_case, headersFor) => {
    const res = await customers('GET', `/customers/${ME}`, { headers: await headersFor() });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});
