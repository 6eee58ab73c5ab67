import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild } from '../scripts/stack/emulator';
import { freePort } from '../test/support/global-setup';
import { startOtlpReceiver } from '../test/support/otlp-receiver';
import { apiFunctionName, DEAD_LETTER_RECORDER, serviceNames } from '../shared/topology';
import { median, ratio, table } from './stats';

/**
 * Cold start of every function as Cloud Functions starts it: compiled JavaScript, the Functions
 * Framework's own CLI with `--target=<function>`, the deployed entry (FUNCTION_SOURCE names the
 * service module, see cloudbuild.yaml) and the telemetry preload of terraform's NODE_OPTIONS.
 * Measured: spawn → first answer to `GET /__cold-start` (the framework listens once the module is loaded;
 * the path is one no function serves, so the answer does no I/O), with
 * telemetry off (no OTEL_* variables) and on (OTLP/HTTP JSON to an in-process receiver). The
 * yardstick is a bare Functions Framework function started the same way, in the same modes.
 * Modes alternate; medians are reported. Needs the bench's environment (DATABASE_URL, emulator).
 */
const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist/bench');
const framework = path.join(root, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
type Mode = 'off' | 'on';

/**
 * One function per service module: every function of a service loads the same module (FUNCTION_SOURCE)
 * and `--target` only picks which registered function answers, so the module is what is measured.
 * The API where there is one; the messaging module has the dead-letter recorder.
 */
const measured = (): { name: string; service: string }[] =>
  serviceNames.map((s) => ({ name: s === 'messaging' ? DEAD_LETTER_RECORDER : apiFunctionName(s), service: s }));

/** Compiles the deployable code into dist/bench with cloudbuild.yaml's entry file and a bare function beside it. */
export function buildForBench(): string {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: root,
    stdio: 'inherit',
  });
  writeFileSync(path.join(out, 'index.js'), "require(require('node:path').resolve(__dirname, process.env.FUNCTION_SOURCE));\n");
  mkdirSync(path.join(out, 'bare'), { recursive: true });
  writeFileSync(
    path.join(out, 'bare/index.js'),
    "require('@google-cloud/functions-framework').http('bare', (req, res) => res.send('ok'));\n",
  );
  return out;
}

export async function coldStartBench(runs = 3): Promise<string> {
  buildForBench();
  const receiver = await startOtlpReceiver();
  try {
    const env = (mode: Mode, service: string): NodeJS.ProcessEnv => ({
      ...process.env,
      NODE_OPTIONS: `--require ${path.join(out, 'shared/telemetry/register.js')}`,
      ...(mode === 'on'
        ? { OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
        : {}),
    });
    /**
     * Each start of a function is paired with a start of the bare function just before or just after it (alternating),
     * in the same mode: the ratio of each pair sees the machine as it was then, and the median ratio is reported.
     */
    const bareRuns: Record<Mode, number[]> = { off: [], on: [] };
    const measure = async (target: string, source: string, service: string) => {
      const times: Record<Mode, number[]> = { off: [], on: [] };
      const ratios: Record<Mode, number[]> = { off: [], on: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of (i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
          const fn = () => coldStart(target, source, env(mode, service));
          const bare = () => coldStart('bare', '', env(mode, 'bare'));
          let f: number, b: number;
          if (i % 2 === 0) {
            f = await fn();
            b = await bare();
          } else {
            b = await bare();
            f = await fn();
          }
          times[mode].push(f);
          ratios[mode].push(f / b);
          bareRuns[mode].push(b);
        }
      }
      return { off: median(times.off), on: median(times.on), offRatio: median(ratios.off), onRatio: median(ratios.on) };
    };
    await coldStart('bare', '', env('off', 'bare')); // warm the file cache
    const all: { name: string; off: number; on: number; offRatio: number; onRatio: number }[] = [];
    for (const fn of measured())
      all.push({ name: fn.name, ...(await measure(fn.name, `functions/${fn.service}/index.js`, fn.service)) });
    const bare = { off: median(bareRuns.off), on: median(bareRuns.on) };
    const x = (r: number) => `${r.toFixed(2)}×`;
    const rows = all.map((t) => [t.name, t.off.toFixed(0), t.on.toFixed(0), x(t.offRatio), x(t.onRatio), ratio(t.on, bare.off)]);
    const worst = all.reduce((w, t) => (t.onRatio > w.onRatio ? t : w));
    const within = all.filter((t) => t.onRatio <= 1.3).length;
    return [
      `Spawn → first answer to \`GET /__cold-start\`, ${runs} runs per mode, modes alternating; each start of a function is paired`,
      "with a start of the bare Functions Framework function (`res.send('ok')`) just before or after it, and the ratios are",
      `the medians of the pairs' ratios. Bare function, median of its ${bareRuns.off.length} starts per mode: telemetry off`,
      `**${bare.off.toFixed(0)} ms**, with the same telemetry preload on **${bare.on.toFixed(0)} ms**. Target: ≤ 1.3× a bare`,
      `function with telemetry on: ${within} of ${all.length} within it; the slowest, ${worst.name}, ${x(worst.onRatio)}.`,
      'Every function of a service loads the same module, so one function per service module is measured (see the bundle',
      'section for what each loads).',
      '',
      table(['function', 'off (ms)', 'on (ms)', 'off / bare off', 'on / bare on', 'on / bare off'], rows),
    ].join('\n');
  } finally {
    await receiver.close();
  }
}

/** Milliseconds from spawn to the first HTTP answer. */
async function coldStart(target: string, source: string, env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [framework, `--target=${target}`, `--source=${path.join(out, source ? '' : 'bare')}`], {
    cwd: out,
    env: { ...env, PORT: String(port), ...(source ? { FUNCTION_SOURCE: source } : {}) },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${target} exited with code ${child.exitCode}`);
      const answered = await fetch(`http://127.0.0.1:${port}/__cold-start`)
        .then(async (res) => (await res.arrayBuffer(), true))
        .catch(() => false);
      if (answered) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`${target} did not answer within 30 s`);
  } finally {
    await stopChild(child);
  }
}
