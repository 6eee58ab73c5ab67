import { parseConfig } from './config';

const load = (env: Record<string, string>) => parseConfig({ DATABASE_URL: 'postgres://x@localhost/db', ...env });

describe('config', () => {
  test('header identity refuses to start on Google Cloud unless explicitly allowed', () => {
    expect(() => load({ K_SERVICE: 'cart-api', AUTH_MODE: 'header' })).toThrow(/header identity refuses to run on Google Cloud/);
    expect(load({ K_SERVICE: 'cart-api', AUTH_MODE: 'header', ALLOW_HEADER_AUTH_ON_GCP: 'true' })).toMatchObject({
      AUTH_MODE: 'header',
    });
  });

  test('JWT identity needs an issuer and a JWKS URL', () => {
    expect(() => load({ AUTH_MODE: 'jwt' })).toThrow(/JWT_ISSUER and JWT_JWKS_URL/);
  });

  test('a retention shorter than the 7-day redelivery window is refused', () => {
    expect(() => load({ RETENTION_DAYS: '7' })).toThrow(/RETENTION_DAYS/);
  });

  test('defaults are usable locally', () => {
    expect(load({})).toMatchObject({ GOOGLE_CLOUD_PROJECT: 'shopflow-local', AUTH_MODE: 'header', RETENTION_DAYS: 8 });
  });
});
