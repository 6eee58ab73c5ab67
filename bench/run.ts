import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coldStartBench } from './cold-start';
import { orderFlowBench } from './order-flow';

/**
 * `npm run bench`: runs every benchmark once, in one process, and writes docs/PERFORMANCE.md.
 * Numbers from one run on a shared, noisy machine: compare ratios within a run, not across runs.
 */
const benches: { title: string; run: () => Promise<string> }[] = [
  { title: 'Order flow under load', run: orderFlowBench },
  { title: 'Cold start with and without telemetry', run: () => coldStartBench() },
];

async function main(): Promise<void> {
  const sections: string[] = [];
  for (const bench of benches) {
    process.stdout.write(`bench: ${bench.title}…\n`);
    const started = Date.now();
    const body = await bench.run();
    sections.push(`## ${bench.title}\n\n${body}\n\n_(took ${((Date.now() - started) / 1000).toFixed(0)} s)_`);
    process.stdout.write(body + '\n');
  }
  const header = [
    '# Performance',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}),`,
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. One run on a shared machine: read ratios within the run.`,
    'Every service runs in its own process exactly as `npm run dev` starts it, against the real Pub/Sub emulator and an embedded PostgreSQL.',
  ].join('\n');
  writeFileSync(path.resolve(__dirname, '../docs/PERFORMANCE.md'), `${header}\n\n${sections.join('\n\n')}\n`);
  process.stdout.write('wrote docs/PERFORMANCE.md\n');
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
