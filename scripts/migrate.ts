import knex from 'knex';
import { migrate } from '../migrations';

/** `npm run migrate`: applies every pending migration to DATABASE_URL. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL (npm run dev migrates its own embedded database by itself)');
  const connection = knex({ client: 'pg', connection: url });
  try {
    const applied = await migrate(connection);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await connection.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
