import { fork } from 'node:child_process';
import path from 'node:path';
import { stopChild } from '../scripts/stack/emulator';
import { serviceNames } from '../shared/topology';
import { freePort } from '../test/support/global-setup';
import { buildForBench } from './cold-start';
import { peakRssMb } from './memory';
import { table } from './stats';

/**
 * What running a service under tsx (as `npm run dev` does) costs in memory against the compiled
 * JavaScript that Cloud Functions runs: each service started both ways, 200 `GET /` answered, then
 * its peak RSS; and every service in one process. Needs the bench's environment (DATABASE_URL, emulator).
 */
const root = path.resolve(__dirname, '..');

async function peakAfterRequests(execArgv: string[], script: string, service: string): Promise<number> {
  const port = await freePort();
  const child = fork(script, [service], { execArgv, env: { ...process.env, PORT: String(port) }, stdio: 'ignore' });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    for (let i = 0; i < 200; i++) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    return peakRssMb(child.pid!);
  } finally {
    await stopChild(child);
  }
}

/** Peak RSS of bench/serve-all.ts (every service in one process) after 200 `GET /` to each service. */
async function oneProcess(execArgv: string[]): Promise<number> {
  const child = fork(path.join(__dirname, 'serve-all.ts'), [], { execArgv, env: process.env, stdio: 'ignore' });
  try {
    const { ports } = await new Promise<{ ports: Record<string, number> }>((resolve) =>
      child.once('message', (m) => resolve(m as { ports: Record<string, number> })),
    );
    for (const port of Object.values(ports)) {
      for (let i = 0; i < 200; i++) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    }
    return peakRssMb(child.pid!);
  } finally {
    await stopChild(child);
  }
}

export async function runnerMemoryBench(): Promise<string> {
  const out = buildForBench();
  const rows: (string | number)[][] = [];
  let [sumTsx, sumNode] = [0, 0];
  for (const service of serviceNames) {
    const tsx = await peakAfterRequests(['--import', 'tsx'], path.join(root, 'scripts/serve.ts'), service);
    const node = await peakAfterRequests([], path.join(out, 'scripts/serve.js'), service);
    sumTsx += tsx;
    sumNode += node;
    rows.push([service, tsx.toFixed(0), node.toFixed(0), (tsx - node).toFixed(0)]);
  }
  rows.push(['**all services, one process each**', sumTsx.toFixed(0), sumNode.toFixed(0), (sumTsx - sumNode).toFixed(0)]);
  const one = await oneProcess(['--import', 'tsx']);
  rows.push(['**all services in one process** (as the tests host them)', one.toFixed(0), '', '']);
  return [
    'Peak RSS (VmHWM, MiB) of each service process after start-up and 200 `GET /`, idle otherwise: under tsx as',
    '`npm run dev` runs it, and as compiled JavaScript (`node dist/.../scripts/serve.js`, what Cloud Functions runs).',
    '',
    table(['service', 'tsx', 'compiled', 'tsx costs'], rows),
  ].join('\n');
}
