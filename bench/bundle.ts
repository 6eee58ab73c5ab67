import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { jobs, serviceNames, services } from '../shared/topology';
import { buildForBench } from './cold-start';
import { table } from './stats';

/**
 * What each function deploys and loads. Every function ships the same bundle (cloudbuild.yaml's
 * package step: dist/ plus the sources, and the production dependencies the buildpack installs);
 * what differs per function is its service module (FUNCTION_SOURCE), so the per-function figure is
 * what that module loads at start-up: files and bytes of every module in require's cache, without
 * and with the telemetry preload. Uses the build of bench/cold-start.ts (dist/bench).
 */
const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist/bench');
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

/** Files and bytes loaded by requiring one service module, as a fresh process does at cold start. */
function loaded(service: string, telemetry: boolean): { files: number; bytes: number } {
  const script = [
    `require(${JSON.stringify(path.join(out, 'functions', service, 'index.js'))});`,
    "const fs = require('node:fs');",
    'const files = Object.keys(require.cache);',
    'process.stdout.write(JSON.stringify({ files: files.length, bytes: files.reduce((s, f) => s + fs.statSync(f).size, 0) }));',
  ].join('\n');
  const preload = telemetry ? ['--require', path.join(out, 'shared/telemetry/register.js')] : [];
  const env = telemetry
    ? { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SERVICE_NAME: service }
    : process.env;
  return JSON.parse(execFileSync(process.execPath, [...preload, '-e', script], { cwd: root, env, encoding: 'utf8' }));
}

export async function bundleBench(): Promise<string> {
  if (!existsSync(path.join(out, 'index.js'))) buildForBench();
  const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((dir) => dir.includes(`${path.sep}node_modules${path.sep}`));
  // nested packages sit inside their parents' folders: count each top-level folder once
  const tops = production.filter((dir) => !production.some((other) => other !== dir && dir.startsWith(other + path.sep)));
  const dependencies = tops.reduce((sum, dir) => sum + treeBytes(dir), 0);
  const sources = ['functions', 'shared', 'migrations', 'scripts'].reduce((sum, d) => sum + treeBytes(path.join(root, d)), 0);
  const compiled = treeBytes(out);
  const rows = serviceNames.map((service) => {
    const count =
      services[service].consumes.length +
      Object.values(jobs).filter((j) => j.service === service).length +
      (service === 'messaging' ? 1 : 0);
    const off = loaded(service, false);
    const on = loaded(service, true);
    return [service, count + (service === 'messaging' ? 0 : 1), off.files, mb(off.bytes), on.files, mb(on.bytes)];
  });
  return [
    `Every function deploys the same bundle: compiled JavaScript ${mb(compiled)} MB, sources ${mb(sources)} MB, and the`,
    `production dependencies the buildpack installs, ${production.length} packages, ${mb(dependencies)} MB (file bytes of`,
    '`npm ls --omit=dev`; `du` rounds up to blocks). What a function loads at cold start is its service module:',
    '',
    table(['service module', 'functions', 'files loaded', 'MB loaded', 'files with telemetry', 'MB with telemetry'], rows),
  ].join('\n');
}
