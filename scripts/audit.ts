import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run audit` (CI): the dependency policy, docs/decisions.md "Dependency audit".
 *  1. Known vulnerabilities: `npm audit --omit=dev --audit-level=high` must pass. When the registry's
 *     advisory service cannot be reached (it is not, on this workplace's registry mirror), that is
 *     said loudly and the run goes on: the check did not happen, it is not reported as passed.
 *  2. Supply chain, offline, always: every direct dependency pinned to an exact version from the
 *     registry (no ranges, git, URLs or paths), every locked package carrying a sha512 integrity,
 *     and install scripts only from packages `allowScripts` in package.json names.
 */
interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}
interface Lockfile {
  packages: Record<string, { integrity?: string; link?: boolean; hasInstallScript?: boolean; optional?: boolean }>;
}

const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** What breaks the offline supply-chain rules (empty: none). */
export function supplyChainProblems(manifest: Manifest, lock: Lockfile): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    if (!EXACT.test(spec)) problems.push(`${name}@${spec}: not pinned to an exact registry version`);
  }
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where === '' || entry.link) continue;
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!entry.integrity?.startsWith('sha512-')) problems.push(`${name}: no sha512 integrity in package-lock.json`);
    // optional platform binaries (other OS/CPU builds) are never installed here
    if (entry.hasInstallScript && !entry.optional && !(name in (manifest.allowScripts ?? {}))) {
      problems.push(`${name}: runs an install script but allowScripts in package.json does not decide about it`);
    }
  }
  return problems;
}

function knownVulnerabilities(): 'passed' | 'failed' | 'unreachable' {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high'], { encoding: 'utf8' });
  process.stdout.write(run.stdout);
  if (run.status === 0) return 'passed';
  if (/audit endpoint returned an error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|405/.test(run.stderr)) return 'unreachable';
  process.stderr.write(run.stderr);
  return 'failed';
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const read = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));
  const problems = supplyChainProblems(read('package.json'), read('package-lock.json'));
  for (const p of problems) process.stderr.write(`audit: ${p}\n`);
  const advisories = knownVulnerabilities();
  if (advisories === 'unreachable') {
    process.stderr.write(
      'audit: NOT CHECKED: the npm advisory service cannot be reached from here; known vulnerabilities were not looked up\n',
    );
  }
  if (problems.length > 0 || advisories === 'failed') {
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`audit: supply-chain rules hold; known vulnerabilities: ${advisories}\n`);
}

if (require.main === module) main();
