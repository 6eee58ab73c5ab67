import { startSystem, type TestSystem } from '../test/support/harness';
import { db, run, statement } from './db';

/** shared/db.ts: named statements run by pg on knex's connections, inside a transaction when given one. */
const INSERT = statement(
  'test.insert-product',
  `insert into cart.products (sku, name, price_cents, version) values ($1, 'x', 100, 1)`,
);
const COUNT = statement('test.count-product', 'select count(*)::int as n from cart.products where sku = $1');
const count = async (sku: string) => (await run<{ n: number }>(db(), COUNT, [sku]))[0]!.n;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem([]);
});
afterAll(() => system.stop());

test('a statement in a transaction is part of it: seen inside, gone when it rolls back, kept when it commits', async () => {
  await db()
    .transaction(async (tx) => {
      await run(tx, INSERT, ['STMT-ROLLBACK']);
      expect((await run<{ n: number }>(tx, COUNT, ['STMT-ROLLBACK']))[0]!.n).toBe(1);
      expect(await count('STMT-ROLLBACK')).toBe(0); // another connection does not see it yet
      throw new Error('roll back');
    })
    .catch(() => undefined);
  expect(await count('STMT-ROLLBACK')).toBe(0);
  await db().transaction((tx) => run(tx, INSERT, ['STMT-COMMIT']));
  expect(await count('STMT-COMMIT')).toBe(1);
});

test('a statement on a transaction that has ended is refused rather than run outside it', async () => {
  let ended: Parameters<Parameters<ReturnType<typeof db>['transaction']>[0]>[0] | undefined;
  await db().transaction(async (tx) => {
    ended = tx;
  });
  await expect(run(ended!, INSERT, ['STMT-LATE'])).rejects.toThrow(/already ended/);
  expect(await count('STMT-LATE')).toBe(0);
});

test('a name means one text, and a statement names its columns', () => {
  expect(() => statement('test.count-product', 'select 1')).toThrow(/defined twice/);
  expect(() => statement('test.star', 'select * from cart.products')).toThrow(/name its columns/);
  expect(() => statement('test.returning-star', 'delete from cart.products returning *')).toThrow(/name its columns/);
});

test('a failing statement leaves the connection usable and the pool whole', async () => {
  const bad = statement('test.bad-cast', 'select $1::int as n');
  for (let i = 0; i < 10; i++) await expect(run(db(), bad, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
  expect(await count('STMT-COMMIT')).toBe(1);
});
