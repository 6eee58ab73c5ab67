import { parseConfig } from './config';

const load = (env: Record<string, string>) => parseConfig({ DATABASE_URL: 'postgres://x@localhost/db', ...env });

describe('config', () => {
  test.each(['K_SERVICE', 'FUNCTION_TARGET', 'FUNCTION_NAME', 'CLOUD_RUN_JOB', 'GAE_APPLICATION', 'GAE_ENV'])(
    'header identity refuses to start on a Google runtime that sets %s unless explicitly allowed',
    (marker) => {
      expect(() => load({ [marker]: 'x', AUTH_MODE: 'header' })).toThrow(
        new RegExp(`header identity refuses to run on Google Cloud \\(${marker} is set\\)`),
      );
      // (other settings may still be refused on Google Cloud; identity is not)
      expect(() => load({ [marker]: 'x', AUTH_MODE: 'header', ALLOW_HEADER_AUTH_ON_GCP: 'true' })).not.toThrow(/AUTH_MODE/);
    },
  );

  const jwt = {
    AUTH_MODE: 'jwt',
    JWT_ISSUER: 'https://securetoken.google.com/p',
    JWT_AUDIENCE: 'p',
    JWT_JWKS_URL: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
  };

  test.each(['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL'])('JWT identity refuses to start without %s', (name) => {
    expect(() => load({ ...jwt, [name]: '' })).toThrow(/invalid configuration/);
    const { [name]: _dropped, ...rest } = jwt as Record<string, string>;
    expect(() => load(rest)).toThrow(/AUTH_MODE=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL/);
  });

  test('JWT identity pins asymmetric algorithms (RS256 by default) and fetches keys over https', () => {
    expect(load(jwt).JWT_ALGORITHMS).toEqual(['RS256']);
    expect(load({ ...jwt, JWT_ALGORITHMS: 'RS256, ES256' }).JWT_ALGORITHMS).toEqual(['RS256', 'ES256']);
    expect(() => load({ ...jwt, JWT_ALGORITHMS: 'HS256' })).toThrow(/JWT_ALGORITHMS/);
    expect(() => load({ ...jwt, JWT_ALGORITHMS: 'none' })).toThrow(/JWT_ALGORITHMS/);
    expect(() => load({ ...jwt, JWT_JWKS_URL: 'http://issuer.example/jwks.json' })).toThrow(/https/);
  });

  test('a database connection that would not verify the server is refused', () => {
    const url = 'postgres://shop:secret@10.0.0.3:5432/shop';
    expect(() => load({ DATABASE_URL: `${url}?sslmode=no-verify` })).toThrow(/no-verify would accept any server/);
    expect(() => load({ DATABASE_URL: `${url}?sslmode=verify-ca` })).toThrow(/DATABASE_CA_CERT/);
    expect(() => load({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=/tmp/ca.pem` })).toThrow(/DATABASE_CA_CERT/);
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(load({ DATABASE_URL: `${url}?sslmode=verify-ca`, DATABASE_CA_CERT: ca }).DATABASE_CA_CERT).toBe(ca);
  });

  test('a deployed function that does not use the payment or carrier secrets starts without them', () => {
    const deployed = { ...jwt, K_SERVICE: 'orders-api', DATABASE_URL: 'postgres://x@10.0.0.3/db?sslmode=disable' };
    const c = parseConfig(deployed);
    expect(c.PAYMENT_PROVIDER_API_KEY).toBeUndefined();
    expect(c.PAYMENT_WEBHOOK_SECRET).toBeUndefined();
    expect(c.CARRIER_API_KEY).toBeUndefined();
  });

  test('a retention shorter than the 7-day redelivery window is refused', () => {
    expect(() => load({ RETENTION_DAYS: '7' })).toThrow(/RETENTION_DAYS/);
  });

  test('defaults are usable locally', () => {
    expect(load({})).toMatchObject({ GOOGLE_CLOUD_PROJECT: 'shopflow-local', AUTH_MODE: 'header', RETENTION_DAYS: 8 });
  });
});
