import { assertIdentityMayServe } from './identity';

/** Issue 10.3: header identity on a Compute Engine / GKE machine serves loopback only unless allowed. */
process.env.DATABASE_URL ??= 'postgres://nobody@127.0.0.1:1/none';
delete process.env.AUTH_MODE;
delete process.env.ALLOW_HEADER_AUTH_ON_GCP;

const onGce = () => true;
const onLaptop = () => false;

test('on a Google Cloud machine, header identity refuses to listen beyond loopback', () => {
  expect(() => assertIdentityMayServe('0.0.0.0', onGce)).toThrow(/header identity refuses to serve 0.0.0.0/);
  expect(() => assertIdentityMayServe('::', onGce)).toThrow(/refuses/);
});

test('on a Google Cloud machine, header identity may serve loopback (a developer VM running npm run dev)', () => {
  expect(() => assertIdentityMayServe('127.0.0.1', onGce)).not.toThrow();
});

test('on a laptop, header identity may listen anywhere', () => {
  expect(() => assertIdentityMayServe('0.0.0.0', onLaptop)).not.toThrow();
});
