import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { startSystem, type HttpClient, type TestSystem } from '../../test/support/harness';

/** Production identity: bearer tokens verified against a JWKS served over HTTP; the header is ignored. */
let system: TestSystem;
let customers: HttpClient;
let jwks: http.Server;
let key: KeyLike;
let foreignKey: KeyLike;
let me: string;
const ISSUER = 'https://issuer.test';
const ME = '0b6f2b1e-8a2f-4f55-9d1f-5f2d7b1a0c11';

const token = (claims: Record<string, unknown>, options: { signer?: KeyLike; issuer?: string; expires?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.signer ?? key);
const bearer = async (claims: Record<string, unknown>, options: Parameters<typeof token>[1] = {}) => ({
  authorization: `Bearer ${await token(claims, options)}`,
});

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  foreignKey = (await generateKeyPair('RS256')).privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  jwks = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AUTH_MODE: 'jwt',
    JWT_ISSUER: ISSUER,
    JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
  });
  system = await startSystem(['customers']);
  customers = system.http('customers');
  const created = await customers('POST', '/customers', {
    body: { name: 'Me', email: 'me@example.com' },
    headers: await bearer({ roles: ['admin'] }),
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

  test('a customer token acts as that customer only', async () => {
    const headers = await bearer({ sub: me });
    expect((await customers('GET', `/customers/${me}`, { headers })).status).toBe(200);
    expect((await customers('GET', '/customers', { headers })).status).toBe(403);
    expect((await customers('GET', `/customers/${ME}`, { headers })).status).toBe(404);
  });

  test('an admin role token may list customers', async () => {
    expect((await customers('GET', '/customers', { headers: await bearer({ roles: ['admin'] }) })).status).toBe(200);
  });

  test.each([
    ['signed by another key', () => bearer({ sub: ME }, { signer: foreignKey })],
    ['from another issuer', () => bearer({ sub: ME }, { issuer: 'https://evil.test' })],
    ['expired', () => bearer({ sub: ME }, { expires: '-1m' })],
    ['with a subject that is not a customer id', () => bearer({ sub: 'robot' })],
  ])('a token %s is a 401', async (_case, headersFor) => {
    const headers = await headersFor();
    const res = await customers('GET', `/customers/${ME}`, { headers });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});
