import type { FlowSystem } from './flow-systems';
import { cpuMeter } from './memory';
import { percentile, perSecond, sleep } from './stats';

/**
 * The order flow of one system: a burst (every cart converted at once) gives the maximum rate;
 * then steady arrivals at 25, 50 and 100 % of it. A burst of the faster system lasts a few seconds, so one
 * burst swings with whatever else the shared machine does in them: each system's burst runs `burstRounds` times,
 * alternating with the others' (in turn first), and the median one (by orders confirmed per second) stands for it.
 * Latency is convert request sent → order `confirmed` (and → `shipped`), per cart; a phase's throughput is its
 * orders over the time from its first convert to its last confirmation. Every phase waits for its whole saga and
 * checks the counts before the next starts.
 */
export interface Phase {
  label: string;
  orders: number;
  /** Orders confirmed per second, and shipped per second. */
  confirmedRate: number;
  shippedRate: number;
  confirmed: { p50: number; p95: number; p99: number };
  shipped: { p50: number; p95: number; p99: number };
  /** CPU seconds each process of the system used from the phase's first convert until its saga was through. */
  cpu: Record<string, number>;
}

export interface FlowResult {
  system: string;
  maxRate: number;
  /** Orders confirmed per second of every burst round, in the order they ran (the median one is in `phases`). */
  burstRates: number[];
  phases: Phase[];
}

export const LEVELS = [25, 50, 100] as const;

/**
 * Measures every system phase by phase, interleaved (all bursts, then each level for every system in
 * turn), so that a change in the machine's load during the run reaches every system alike.
 */
export async function measureFlows(
  systems: FlowSystem[],
  options: { burst: number; burstRounds: number; steadySeconds: number; log: (line: string) => void },
): Promise<FlowResult[]> {
  const results: FlowResult[] = systems.map((system) => ({ system: system.name, maxRate: 0, burstRates: [], phases: [] }));
  for (const system of systems) {
    // a warm-up burst, not measured, so that no phase pays for first connections, lazy start-up and the compilers (V8's
    // in the services, the JIT of the emulator's JVM): after a warm-up of 10 orders, bursts of 60 ran 25, 31 and 42
    // orders/s one after the other
    await run(system, await system.prepare(options.burst), () => 0, 'warm-up');
  }
  const bursts: Phase[][] = systems.map(() => []);
  for (let round = 0; round < options.burstRounds; round++) {
    // every other round in the other order, so that neither system always runs on what the other left behind
    const order = round % 2 === 0 ? [...systems.entries()] : [...systems.entries()].reverse();
    for (const [i, system] of order) {
      const phase = await run(system, await system.prepare(options.burst), () => 0, `burst of ${options.burst}`);
      bursts[i].push(phase);
      options.log(`${system.name}: burst ${phase.confirmedRate.toFixed(1)} orders/s`);
    }
  }
  for (const [i, phases] of bursts.entries()) {
    const median = [...phases].sort((a, b) => a.confirmedRate - b.confirmedRate)[Math.floor(phases.length / 2)];
    results[i].burstRates = phases.map((p) => p.confirmedRate);
    results[i].phases.push(median);
    results[i].maxRate = median.confirmedRate;
  }
  for (const level of LEVELS) {
    for (const [i, system] of systems.entries()) {
      const rate = (results[i].maxRate * level) / 100;
      const count = Math.max(5, Math.round(rate * options.steadySeconds));
      const customers = await system.prepare(count);
      const phase = await run(system, customers, (n) => (n * 1000) / rate, `steady ${level} % (${rate.toFixed(1)}/s)`);
      results[i].phases.push(phase);
      options.log(`${system.name}: ${phase.label} p99 confirmed ${phase.confirmed.p99.toFixed(0)} ms`);
    }
  }
  return results;
}

/** Converts every customer's cart, the i-th at start + offsetMs(i), and measures once the saga is through. */
async function run(system: FlowSystem, customers: string[], offsetMs: (i: number) => number, label: string): Promise<Phase> {
  system.activate();
  const cpu = cpuMeter(system.pids());
  const sent = new Map<string, number>();
  const start = Date.now();
  const carts = await Promise.all(
    customers.map(async (customer, i) => {
      const wait = start + offsetMs(i) - Date.now();
      if (wait > 0) await sleep(wait);
      const at = Date.now();
      const cartId = await system.convert(customer);
      sent.set(cartId, at);
      return cartId;
    }),
  );
  const { confirmed, shipped } = await system.settle(carts);
  const latencies = (done: Map<string, number>) => carts.map((id) => done.get(id)! - sent.get(id)!);
  const spread = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), p99: percentile(xs, 99) });
  const first = Math.min(...sent.values());
  return {
    label,
    orders: carts.length,
    confirmedRate: perSecond(carts.length, Math.max(...confirmed.values()) - first),
    shippedRate: perSecond(carts.length, Math.max(...shipped.values()) - first),
    confirmed: spread(latencies(confirmed)),
    shipped: spread(latencies(shipped)),
    cpu: cpu(),
  };
}
