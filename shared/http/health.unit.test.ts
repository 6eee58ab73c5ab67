import { healthProbe, type Check } from './health';

/** Issue 10.4: the public health answer is cached briefly, so `GET /` cannot be used to load the database. */
const counting = () => {
  const calls = { n: 0 };
  const check: Check = async () => {
    calls.n += 1;
  };
  return { calls, check };
};

test('calls within the cache time share one run of the checks, also while it is in flight', async () => {
  let now = 0;
  const { calls, check } = counting();
  const probe = healthProbe({ database: check }, 5_000, () => now);

  await Promise.all([probe(), probe(), probe()]);
  now = 4_999;
  await probe();
  expect(calls.n).toBe(1);

  now = 5_000;
  await probe();
  expect(calls.n).toBe(2);
});

test('a fresh run (for an admin) ignores the cache and refreshes it', async () => {
  const { calls, check } = counting();
  const probe = healthProbe({ database: check }, 5_000, () => 0);
  await probe();
  await probe({ fresh: true });
  await probe();
  expect(calls.n).toBe(2);
});

test('a failing check is reported by a code, never by its message', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432 user "shop"'), { code: 'ECONNREFUSED' });
  const probe = healthProbe(
    {
      database: () => Promise.reject(refused),
      pubsub: () => Promise.reject(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 })),
      smtp: () => Promise.reject(new Error('Invalid login: 535 user@example.org')),
    },
    5_000,
  );
  expect(await probe()).toEqual({
    ok: false,
    checks: { database: 'failing: ECONNREFUSED', pubsub: 'failing: grpc-14', smtp: 'failing: error' },
  });
});
