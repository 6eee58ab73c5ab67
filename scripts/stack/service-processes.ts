import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, stop } from 'esbuild';
import type { ServiceName } from '../../shared/topology';

/**
 * How the local stack (`npm run dev`, `npm run bench`) runs the services: a few Node processes,
 * each serving a group of services on their own ports, from compiled JavaScript.
 * - Groups: a process costs about 100 MiB whatever it serves (Node, the Pub/Sub client, express, pg),
 *   so eleven of them cannot fit a laptop-sized budget (docs/PERFORMANCE.md); three keep a crash
 *   to one part of the flow (the storefront with the orders, the fulfilment, the notifications) while
 *   the others keep serving. On Cloud Functions every function is its own instance anyway.
 * - Compiled: the tsx loader costs each process about 30 MiB and a second thread; the entry script
 *   is bundled once at start-up by esbuild (about 0.3 s), with every package left to node_modules.
 */
export const processGroups = {
  storefront: ['products', 'customers', 'cart', 'inventory', 'orders'],
  fulfilment: ['payments', 'shipments', 'messaging'],
  notifications: ['notifications', 'email', 'push'],
} as const satisfies Record<string, readonly ServiceName[]>;
export type ProcessGroup = keyof typeof processGroups;
export const groupNames = Object.keys(processGroups) as ProcessGroup[];

export const groupOf = (service: ServiceName): ProcessGroup =>
  groupNames.find((g) => (processGroups[g] as readonly ServiceName[]).includes(service))!;

/**
 * The CPU priority (nice value) of each group's process. On Cloud Functions every function has its own instances and
 * CPU; here the groups share one machine's cores, and under a burst every hop waits its turn for them. The storefront
 * group holds what a customer waits on: the APIs, and the order from convert to `confirmed` (cart, inventory,
 * orders). Payment, shipment and the messaging jobs run 5 levels lower, notifications, mail and push 10 levels lower
 * (a third of the CPU per order). Under a burst the lower groups take what the storefront leaves and catch up when it
 * is quiet; their messages wait in Pub/Sub meanwhile. The work each order costs is the same, so the rate at which
 * whole sagas finish (`shipped`) does not rise (docs/decisions.md, docs/PERFORMANCE.md).
 */
export const groupPriority: Record<ProcessGroup, number> = { storefront: 0, fulfilment: 5, notifications: 10 };

/**
 * Node flags of a local service process. V8 sizes a process's heap for the machine and lets the old
 * generation grow far past what is live (a storefront process reached 212 MiB under 16 requests in
 * flight, 118 MiB with a 128 MB old-space limit, at the same request rate: docs/PERFORMANCE.md); the
 * young generation is kept at 3 × 4 MiB instead of 3 × 16. What is live stays far below the limit
 * (about 30–40 MB). Stack traces name the TypeScript sources.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=128', '--enable-source-maps'];

/**
 * Database connections of each local service process. The three processes share one local server: 3 each kept
 * 200 converts at once as fast as 5 did, for less memory (every PostgreSQL backend costs 20–25 MiB; docs/PERFORMANCE.md).
 */
export const LOCAL_DB_POOL_MAX = '3';

const root = path.resolve(__dirname, '../..');
// inside node_modules, so that the bundle's own `require`s of packages resolve as from the project
const buildDir = path.join(root, 'node_modules/.cache/shopflow');

/**
 * Bundles `entry` (a path relative to the project) and what it imports of the project into one
 * CommonJS file; returns its path. Safe to run from several processes at once: the file is replaced
 * atomically, and every build of the same sources is the same.
 */
export async function compileEntry(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    write: false,
    logLevel: 'error',
  }).finally(() => stop()); // esbuild's helper process would otherwise stay for this process's lifetime
  const out = path.join(buildDir, entry.replace(/\.ts$/, '.js'));
  await mkdir(path.dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.tmp`;
  await writeFile(partial, result.outputFiles[0]!.contents);
  await rename(partial, out);
  return out;
}

export interface ServiceProcessOptions {
  /** The compiled entry (compileEntry): scripts/serve.ts, or the bench's no-op chain. */
  script: string;
  /** Each service with the port it listens on. */
  ports: Partial<Record<ServiceName, number>>;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  stdio?: StdioOptions;
}

/** Forks one process serving `services`; it sends one IPC message when every one of them listens. */
export function forkServiceProcess(services: readonly ServiceName[], options: ServiceProcessOptions): ChildProcess {
  const args = services.map((s) => `${s}=${options.ports[s]}`);
  const child = fork(options.script, args, {
    execArgv: [...SERVICE_NODE_FLAGS, ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env, OTEL_SERVICE_NAME: services.join('+') },
    stdio: options.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // a process serving several groups' services runs at the highest of their priorities
  const nice = Math.min(...services.map((s) => groupPriority[groupOf(s)]));
  if (nice > 0 && child.pid !== undefined) lowerPriority(child.pid, nice);
  return child;
}

/**
 * Lowers a process `levels` nice levels below this one. On Linux a nice value belongs to each thread: the main thread
 * first (threads it starts from then on inherit its value), then every thread the process already has.
 */
function lowerPriority(pid: number, levels: number): void {
  const nice = Math.min(19, os.getPriority() + levels);
  const set = (id: number) => {
    try {
      os.setPriority(id, nice);
    } catch {
      // a platform that refuses, or a thread that has ended: only the ordering is lost, not the service
    }
  };
  set(pid);
  let threads: string[] = [];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    // not Linux: the priority of the process is the priority of its threads
  }
  for (const thread of threads) if (Number(thread) !== pid) set(Number(thread));
}

/** Resolves with the process's IPC message once it serves; rejects if it exits first. */
export function whenServing(child: ChildProcess, what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null, signal: string | null) =>
      reject(new Error(`${what} exited during start-up (${signal ?? `exit code ${code}`})`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.off('exit', exited);
      resolve(message);
    });
  });
}
