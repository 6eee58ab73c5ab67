import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild } from '../scripts/stack/emulator';
import { freePort } from '../test/support/global-setup';
import { startOtlpReceiver } from '../test/support/otlp-receiver';
import { startBenchStack } from './stack';

/**
 * Cold start of one function with and without telemetry: the time from spawning the products
 * service (`scripts/serve.ts products`, as `npm run dev` starts it) to its first successful `GET /`
 * (which also opens the database pool and the Pub/Sub client). Measured under tsx (the dev stack)
 * and as compiled JavaScript (what Cloud Functions runs, built into dist/cold-start). Runs alternate
 * between the modes; medians are reported. With telemetry on, spans go to an in-process OTLP/HTTP
 * JSON receiver. Part of `npm run bench`; alone: `npx tsx bench/cold-start.ts [runs]`.
 */
const root = path.resolve(__dirname, '..');
type Mode = 'off' | 'on';

export async function coldStartBench(runs = 9): Promise<string> {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', 'dist/cold-start'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const stack = await startBenchStack([]);
  const receiver = await startOtlpReceiver();
  try {
    const env: Record<Mode, NodeJS.ProcessEnv> = {
      off: { ...process.env, LOG_LEVEL: 'silent' },
      on: {
        ...process.env,
        LOG_LEVEL: 'silent',
        OTEL_SERVICE_NAME: 'products',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    };
    const variants = [
      { name: 'tsx `scripts/serve.ts products` (npm run dev)', command: ['--import', 'tsx', 'scripts/serve.ts'] },
      { name: 'node `dist/.../scripts/serve.js products` (compiled)', command: ['dist/cold-start/scripts/serve.js'] },
    ];
    const rows: string[] = [];
    for (const variant of variants) {
      await coldStart(variant.command, env.off); // warm the file cache (and tsx's transform cache)
      const samples: Record<Mode, number[]> = { off: [], on: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of (i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
          samples[mode].push(await coldStart(variant.command, env[mode]));
        }
      }
      const off = median(samples.off);
      const on = median(samples.on);
      rows.push(
        `| ${variant.name} | ${off.toFixed(0)} ms | ${on.toFixed(0)} ms | +${(on - off).toFixed(0)} ms (${((on / off - 1) * 100).toFixed(0)} %) |`,
      );
    }
    return [
      `Spawn → first \`200\` on \`GET /\` of the products service, median of ${runs} runs per mode, modes alternating.`,
      'Telemetry on = the OpenTelemetry Node SDK with http, express and pg instrumentations and OTLP/HTTP JSON export',
      '(`OTEL_EXPORTER_OTLP_ENDPOINT` set); off = no OTEL_* variables, where the preload loads nothing but its plan.',
      '',
      '| how it starts | telemetry off | telemetry on | cost of telemetry |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Spans received from the runs with telemetry on: ${receiver.spans.length} (each run traces its GET /).`,
    ].join('\n');
  } finally {
    await receiver.close();
    await stack.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Milliseconds from spawn to the first 200 on GET /. */
async function coldStart(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...command, 'products'], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`products exited with code ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/`)
        .then((res) => res.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('products did not answer GET / within 30 s');
  } finally {
    await stopChild(child);
  }
}

if (require.main === module) {
  coldStartBench(Number(process.argv[2]) || undefined)
    .then((table) => {
      process.stdout.write(`${table}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`cold-start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
