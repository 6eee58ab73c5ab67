import { parseConfig } from './config';

const local = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe('fault points in the configuration', () => {
  test('they are off unless a test names them', () => {
    expect(parseConfig(local).SHOPFLOW_FAILPOINT).toEqual([]);
  });

  test('a test can enable several, with a rate and a delay', () => {
    const c = parseConfig({
      ...local,
      SHOPFLOW_FAILPOINT: 'crash-after-commit, slow-handler',
      SHOPFLOW_FAILPOINT_RATE: '0.1',
      SHOPFLOW_FAILPOINT_DELAY_MS: '40000',
    });
    expect(c.SHOPFLOW_FAILPOINT).toEqual(['crash-after-commit', 'slow-handler']);
    expect(c).toMatchObject({ SHOPFLOW_FAILPOINT_RATE: 0.1, SHOPFLOW_FAILPOINT_DELAY_MS: 40_000 });
  });

  test('an unknown fault point is refused', () => {
    expect(() => parseConfig({ ...local, SHOPFLOW_FAILPOINT: 'crash-somewhere' })).toThrow(/SHOPFLOW_FAILPOINT/);
  });

  test.each(['K_SERVICE', 'FUNCTION_TARGET', 'CLOUD_RUN_JOB', 'GAE_ENV'])(
    'they refuse to start on a Google runtime (%s set)',
    (marker) => {
      expect(() => parseConfig({ ...local, SHOPFLOW_FAILPOINT: 'crash-before-ack', [marker]: 'x', AUTH_MODE: 'jwt' })).toThrow(
        /SHOPFLOW_FAILPOINT: fault points are for tests only/,
      );
    },
  );
});
