import { fork } from 'node:child_process';
import path from 'node:path';
import { stopChild } from '../scripts/stack/emulator';
import { serviceNames } from '../shared/topology';
import { freePort } from '../test/support/global-setup';
import { buildForBench } from './cold-start';
import { peakRssMb } from './memory';
import { table } from './stats';

/**
 * Memory of a function as Cloud Functions runs it: one service per process, the compiled JavaScript
 * (`npm run build`), the V8 heap bound terraform sets in NODE_OPTIONS. Each service answers 200
 * `GET /`, then 16 requests in flight for 3 s; its peak RSS (VmHWM) against the 180 MiB target of a
 * 256 MiB instance. Needs the bench's environment (DATABASE_URL, emulator).
 */
const HEAP_BOUND = '--max-old-space-size=160'; // as terraform/functions.tf sets NODE_OPTIONS
const TARGET_MIB = 180;

async function load(port: number, inFlight: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let answered = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < until) {
        await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
        answered++;
      }
    }),
  );
  return answered;
}

async function peakUnderLoad(script: string, service: string): Promise<{ idle: number; peak: number; answered: number }> {
  const port = await freePort();
  const child = fork(script, [service], {
    execArgv: [HEAP_BOUND],
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    for (let i = 0; i < 200; i++) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    const idle = peakRssMb(child.pid!);
    const answered = await load(port, 16, 3_000);
    return { idle, peak: peakRssMb(child.pid!), answered };
  } finally {
    await stopChild(child);
  }
}

export async function runnerMemoryBench(): Promise<string> {
  const out = buildForBench();
  const rows: (string | number)[][] = [];
  let worst = 0;
  for (const service of serviceNames) {
    const { idle, peak, answered } = await peakUnderLoad(path.join(out, 'scripts/serve.js'), service);
    worst = Math.max(worst, peak);
    rows.push([service, idle.toFixed(0), peak.toFixed(0), answered, peak <= TARGET_MIB ? 'yes' : '**no**']);
  }
  return [
    'Peak RSS (VmHWM, MiB) of each service in a process of its own, as Cloud Functions runs a function: compiled',
    `JavaScript (\`node dist/.../scripts/serve.js\`) with \`${HEAP_BOUND}\`; after 200 \`GET /\`, then after 16 requests`,
    `in flight for 3 s. Largest: **${worst.toFixed(0)} MiB** (target ≤ ${TARGET_MIB} MiB; terraform deploys 256Mi).`,
    '',
    table(['service', 'after 200 requests', 'after the load', 'requests in the load', `≤ ${TARGET_MIB} MiB`], rows),
  ].join('\n');
}
