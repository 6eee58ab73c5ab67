import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobs, serviceNames, type JobName } from '../shared/topology';
import { localFunctionUrl } from '../scripts/stack/push-token';
import { LOCAL_DB_POOL_MAX } from '../scripts/stack/service-processes';
import { bundleBench } from './bundle';
import { coldStartBench } from './cold-start';
import { measureFlows } from './flow';
import { flowReport, mechanismReport } from './flow-report';
import { noopSystem, realSystem } from './flow-systems';
import { httpBench } from './http';
import { keptSection, previousRuns, PREVIOUS } from './history';
import { statementsWanted, writeStatements } from './pg-statements';
import { sampleMemory } from './memory';
import { runnerMemoryBench } from './runner-memory';
import { devStackMemoryBench } from './dev-stack-memory';
import { memoryReport } from './memory-report';
import { startInfra, startServices, type Services } from './stack';

/**
 * `npm run bench`: every figure beside its yardstick, measured in one run on this machine, into
 * docs/PERFORMANCE.md (the previous figures move to its "Previous runs"). BENCH_QUICK=1 runs a
 * smaller profile (a few minutes); BENCH_ONLY=flow,http,dev,cold,runner,bundle picks sections (the file is
 * written only by a full run of every section; BENCH_OUT=<file> writes elsewhere).
 */
const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY?.split(',');
const wants = (section: string) => !only || only.includes(section);
const profile = quick
  ? { burst: 60, burstRounds: 3, steadySeconds: 5, httpSeconds: 3, coldRuns: 1, devCustomers: 60 }
  : { burst: 200, burstRounds: 3, steadySeconds: 15, httpSeconds: 8, coldRuns: 5, devCustomers: 200 };
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const file = path.resolve(process.env.BENCH_OUT ?? path.join(__dirname, '../docs/PERFORMANCE.md'));

/** The dev stack's scheduler: every job at its local period, as scripts/dev.ts runs them. */
function runJobs(stack: Services): () => void {
  const timers = (Object.keys(jobs) as JobName[]).map((job) =>
    setInterval(
      () =>
        void fetch(localFunctionUrl(stack.url(jobs[job].service), job), { method: 'POST' })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined),
      jobs[job].localEveryMs,
    ),
  );
  return () => timers.forEach((t) => clearInterval(t));
}

async function main(): Promise<void> {
  const started = Date.now();
  const sections: string[] = [];
  /** Runs a section and adds it; `since` is when its measuring began, if before `work` (the flow, the memory sampler). */
  const timed = async (title: string, work: () => Promise<string>, since = Date.now()) => {
    say(`${title}…`);
    const t = since;
    const body = await work();
    sections.push(`## ${title}\n\n${body}\n\n_(took ${((Date.now() - t) / 1000).toFixed(0)} s)_`);
    process.stdout.write(`${body}\n`);
  };
  // limits a load test would trip on purpose are raised (the rate limiter itself still runs on every write); the
  // service processes get npm run dev's connection pools, and the bare HTTP baseline the same
  const infra = await startInfra({
    CART_WRITES_PER_MINUTE: '1000000',
    CART_CONVERTS_PER_MINUTE: '1000',
    DB_POOL_MAX: LOCAL_DB_POOL_MAX,
  });
  try {
    if (wants('flow') || wants('http')) {
      // both stacks share the emulator and the machine; the no-op chain idles while the real one is measured
      const chain = async (name: string, env: Record<string, string> = {}) =>
        startServices({
          script: 'bench/noop-service.ts',
          services: serviceNames,
          project: `bench-${name}`,
          env,
          logFile: path.join(infra.dir, `${name}.log`),
        });
      const noop = wants('flow') ? await chain('noop') : undefined;
      // the no-op functions again, their events through the claim, outbox and relay, on a database of their own
      const outbox = wants('flow')
        ? await chain('outbox', { NOOP_CHAIN: 'outbox', DATABASE_URL: await infra.database('bench_outbox') })
        : undefined;
      const real = await startServices({
        script: 'scripts/serve.ts',
        services: serviceNames,
        project: 'bench',
        logFile: path.join(infra.dir, 'services.log'),
      });
      const stopJobs = runJobs(real);
      const memory = sampleMemory(() => ({ ...real.pids(), ...infra.pids }));
      const loadStarted = Date.now();
      try {
        const realFlowSystem = await realSystem(infra, real); // also stocks the products the HTTP bench uses
        if (noop && outbox) {
          const outboxSystem = noopSystem(infra, outbox, { name: 'outbox chain', database: true });
          const systems = [realFlowSystem, noopSystem(infra, noop), outboxSystem];
          const flowStarted = Date.now();
          const [realFlow, noopFlow, outboxFlow] = await measureFlows(systems, { ...profile, log: say });
          const notes = (await realFlowSystem.diagnostics?.()) ?? '';
          if (statementsWanted) say(`statements: ${await writeStatements()}`);
          await timed(
            'Order flow against the no-op bound',
            async () => `${flowReport(realFlow, noopFlow)}\n\n${mechanismReport(realFlow, noopFlow, outboxFlow)}\n\n${notes}`,
            flowStarted,
          );
        }
        if (wants('http')) await timed('HTTP against a bare express + pg handler', () => httpBench(real, profile));
        await timed('Memory under load', async () => memoryReport(memory.peaks(), real, Object.keys(infra.pids)), loadStarted);
      } finally {
        memory.stop();
        stopJobs();
        await Promise.all([real.stop(), noop?.stop(), outbox?.stop()]);
      }
    }
    if (wants('dev'))
      await timed('npm run dev under a burst of converts: everything it started', () =>
        devStackMemoryBench(profile.devCustomers),
      );
    if (wants('cold'))
      await timed('Cold start against a bare Functions Framework function', () => coldStartBench(profile.coldRuns));
    if (wants('runner')) await timed('Memory of one function as Cloud Functions runs it', () => runnerMemoryBench());
    if (wants('bundle')) await timed('Production bundle per function', () => bundleBench());
  } finally {
    await infra.stop();
  }
  const header = [
    '# Performance',
    '',
    `Written by \`npm run bench\`${quick ? ' (BENCH_QUICK=1)' : ''} on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}),`,
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}; took ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    'One run on a shared machine: every figure stands beside its yardstick measured in the same run; read the ratios.',
    'Services run as `npm run dev` starts them (three compiled processes, each serving a group of services), on the real',
    'Pub/Sub emulator, an embedded PostgreSQL and the local payment provider and carrier sandboxes, on free ports.',
  ].join('\n');
  if (only) {
    say('BENCH_ONLY: docs/PERFORMANCE.md left as it is');
    return;
  }
  const previous = previousRuns(file);
  const changes = keptSection(file);
  writeFileSync(
    file,
    `${header}\n\n${[...sections, ...(changes ? [changes] : [])].join('\n\n')}\n\n${PREVIOUS}\n\n${previous}\n`,
  );
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', file], { stdio: 'ignore' });
  say(`wrote ${path.relative(process.cwd(), file)}`);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
