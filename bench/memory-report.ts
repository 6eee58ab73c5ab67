import { peakRssMb, type MemoryPeaks } from './memory';
import type { Services } from './stack';
import { processGroups, type ProcessGroup } from '../scripts/stack/service-processes';
import { table } from './stats';

/** Peak resident memory of the whole stack and of each process during the flow and HTTP load. */
export function memoryReport(peaks: MemoryPeaks, stack: Services, infra: string[]): string {
  const pids = stack.pids();
  const rows = Object.entries(peaks.byName)
    .sort(([, a], [, b]) => b - a)
    .map(([name, mb]) => {
      const kernelPeak = pids[name] ? peakRssMb(pids[name]) : undefined;
      const group = processGroups[name as ProcessGroup];
      const kind = group ? `service process: ${group.join(', ')}` : 'infrastructure (process tree)';
      return [name, kind, mb.toFixed(0), peaks.pssByName[name].toFixed(0), kernelPeak === undefined ? '' : kernelPeak.toFixed(0)];
    });
  const services = Object.entries(peaks.byName).filter(([name]) => !infra.includes(name));
  const worst = services.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as [string, number]);
  const emulator = 'pubsub emulator';
  return [
    `Whole stack (every service process, PostgreSQL with its backends, the emulator's JVM), peak of the sum sampled every`,
    `0.5 s during the flow and HTTP load: **${peaks.total.toFixed(0)} MiB** RSS (${(peaks.total / 1024).toFixed(2)} GiB; target ≤ 1.2 GiB);`,
    `counting pages shared between processes once (PSS; PostgreSQL's shared buffers are in every backend's RSS): ${peaks.totalPss.toFixed(0)} MiB.`,
    `Largest service process: ${worst[0]} ${worst[1].toFixed(0)} MiB; it serves a group of services (npm run dev's processes),`,
    'so the 180 MiB target of one function is measured apart, below.',
    ...(peaks.byName[emulator] === undefined
      ? []
      : [
          `The emulator's JVM grew from ${peaks.firstByName[emulator].toFixed(0)} to ${peaks.byName[emulator].toFixed(0)} MiB: it keeps every`,
          "message ever published (docs/decisions.md), here those of every chain's flow, the bench's own chains included;",
          "PostgreSQL's process tree holds the outbox chain's backends too. The 1.2 GiB target is for the stack",
          '`npm run dev` starts, measured on its own in the next section.',
        ]),
    'Not counted: the bench process itself, which holds the SMTP sink and the provider sandboxes as `scripts/dev.ts` does,',
    `and drives the load (${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB now).`,
    '',
    table(['process', 'what', 'peak RSS (MiB)', 'peak PSS (MiB)', 'kernel peak VmHWM (MiB)'], rows),
  ].join('\n');
}
