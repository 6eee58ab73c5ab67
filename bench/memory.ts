import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of process trees, from /proc: a sampler keeps the peak of each named tree and of
 * their sum (the whole stack), and the kernel's own peak (VmHWM) of each root process.
 */
export interface MemorySampler {
  /** Peak RSS in MiB of each named tree, and of their sum at one instant (also as PSS, which counts shared pages once). */
  peaks(): MemoryPeaks;
  stop(): void;
}

const kib = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
const status = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
};

/** Every live pid with its parent. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

/** A process and all its descendants. */
function descendants(root: number, parentOf: Map<number, number>): Set<number> {
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

const pssKib = (pid: number) => {
  try {
    return kib(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    return 0;
  }
};

/** RSS and PSS (shared pages divided among their sharers) in MiB of a process and all its descendants. */
export function treeMemoryMb(root: number, parentOf = parents()): { rss: number; pss: number } {
  const pids = [...descendants(root, parentOf)];
  return {
    rss: pids.reduce((sum, pid) => sum + kib(status(pid), 'VmRSS'), 0) / 1024,
    pss: pids.reduce((sum, pid) => sum + pssKib(pid), 0) / 1024,
  };
}

/** The kernel's peak resident set of one process (not its children), MiB. */
export const peakRssMb = (pid: number): number => kib(status(pid), 'VmHWM') / 1024;

export interface MemoryPeaks {
  total: number;
  totalPss: number;
  byName: Record<string, number>;
  pssByName: Record<string, number>;
  /** RSS of each root's tree at the first sample. */
  firstByName: Record<string, number>;
}

export function sampleMemory(roots: () => Record<string, number>, everyMs = 500): MemorySampler {
  const byName: Record<string, number> = {};
  const pssByName: Record<string, number> = {};
  const firstByName: Record<string, number> = {};
  let total = 0;
  let totalPss = 0;
  const sample = () => {
    const parentOf = parents();
    let sum = 0;
    let sumPss = 0;
    for (const [name, pid] of Object.entries(roots())) {
      const { rss, pss } = treeMemoryMb(pid, parentOf);
      firstByName[name] ??= rss;
      byName[name] = Math.max(byName[name] ?? 0, rss);
      pssByName[name] = Math.max(pssByName[name] ?? 0, pss);
      sum += rss;
      sumPss += pss;
    }
    total = Math.max(total, sum);
    totalPss = Math.max(totalPss, sumPss);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    peaks: () => {
      sample();
      return { total, totalPss, byName: { ...byName }, pssByName: { ...pssByName }, firstByName: { ...firstByName } };
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * CPU seconds (user + system) used so far by a process and its descendants, those that have exited included: a
 * process's own times plus those of its children it has reaped (a PostgreSQL backend that closes while it is measured
 * takes its times to the postmaster).
 */
export function treeCpuSeconds(root: number, parentOf = parents()): number {
  let ticks = 0;
  for (const pid of descendants(root, parentOf)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime, stime, cutime, cstime
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

/** CPU seconds of each named process tree, as a function that gives the use since this call. */
export function cpuMeter(roots: Record<string, number>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
  return () => {
    const parentOf = parents();
    return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, treeCpuSeconds(pid, parentOf) - start[name]]));
  };
}
