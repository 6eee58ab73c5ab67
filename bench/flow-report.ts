import type { FlowResult, Phase } from './flow';
import { ratio, table } from './stats';

/** CPU milliseconds per order of each process, over every phase reported. */
function cpu(result: FlowResult) {
  const sum: Record<string, number> = {};
  for (const phase of result.phases) for (const [name, s] of Object.entries(phase.cpu)) sum[name] = (sum[name] ?? 0) + s;
  const orders = result.phases.reduce((n, p) => n + p.orders, 0);
  return { perOrder: Object.fromEntries(Object.entries(sum).map(([name, s]) => [name, (s * 1000) / orders])), orders };
}
const total = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
const rates = (result: FlowResult) => result.burstRates.map((r) => r.toFixed(1)).join(', ');

/** The flow's figures beside the no-op chain's, with the ratio. */
export function flowReport(real: FlowResult, noop: FlowResult): string {
  const rows: (string | number)[][] = [];
  for (const [i, phase] of real.phases.entries()) {
    const bound = noop.phases[i];
    rows.push(
      [
        `${phase.label}: orders/s confirmed`,
        phase.confirmedRate.toFixed(1),
        `${bound.confirmedRate.toFixed(1)} (${bound.label})`,
        ratio(phase.confirmedRate, bound.confirmedRate),
      ],
      [
        `${phase.label}: orders/s shipped`,
        phase.shippedRate.toFixed(1),
        bound.shippedRate.toFixed(1),
        ratio(phase.shippedRate, bound.shippedRate),
      ],
    );
    for (const to of ['confirmed', 'shipped'] as const) {
      const m = phase[to];
      const b = bound[to];
      rows.push([
        `${phase.label}: convert → ${to} p50 / p95 / p99 ms`,
        `${m.p50.toFixed(0)} / ${m.p95.toFixed(0)} / ${m.p99.toFixed(0)}`,
        `${b.p50.toFixed(0)} / ${b.p95.toFixed(0)} / ${b.p99.toFixed(0)}`,
        `${ratio(m.p50, b.p50)} / ${ratio(m.p95, b.p95)} / ${ratio(m.p99, b.p99)}`,
      ]);
    }
  }
  const [realCpu, noopCpu] = [cpu(real), cpu(noop)];
  const names = [...new Set([...Object.keys(realCpu.perOrder), ...Object.keys(noopCpu.perOrder)])].sort(
    (a, b) => (realCpu.perOrder[b] ?? 0) - (realCpu.perOrder[a] ?? 0),
  );
  // the same per phase: a cost that grows with backlogs (the burst) or with the time a phase lasts shows here
  const byPhase = (result: FlowResult, name?: string) =>
    result.phases
      .map((p) => ((name ? (p.cpu[name] ?? 0) : total(p.cpu)) * 1000) / Math.max(1, p.orders))
      .map((ms) => ms.toFixed(0))
      .join(' / ');
  const cpuRows = [
    ...names.map((n) => [
      n,
      (realCpu.perOrder[n] ?? 0).toFixed(1),
      noopCpu.perOrder[n] === undefined ? '' : noopCpu.perOrder[n].toFixed(1),
      byPhase(real, n),
      noopCpu.perOrder[n] === undefined ? '' : byPhase(noop, n),
    ]),
    ['**all**', total(realCpu.perOrder).toFixed(1), total(noopCpu.perOrder).toFixed(1), byPhase(real), byPhase(noop)],
  ];
  return [
    `Each system's burst ran ${real.burstRates.length} times, alternating with the others' (orders confirmed per second:`,
    `ShopFlow ${rates(real)}; no-op chain ${rates(noop)}); the median burst is the one reported below, and its rate is`,
    `the system's maximum rate: ShopFlow ${real.maxRate.toFixed(1)}/s, no-op chain ${noop.maxRate.toFixed(1)}/s. The steady`,
    'phases send carts at 25, 50 and 100 % of it, evenly spaced.',
    'For rates the ratio is ShopFlow / no-op (higher is better, 1.00× is the bound); for latencies too (lower is better).',
    '',
    table(['figure', 'ShopFlow', 'no-op bound', 'ratio'], rows),
    '',
    `Where the work goes: CPU milliseconds per order of each process (user + system, children included), over every phase`,
    'reported above (the other bursts are left out),',
    `(${realCpu.orders} and ${noopCpu.orders} orders). The machine has 2 cores shared with other work, so CPU per order bounds the rate.`,
    '',
    table(
      [
        'process',
        'ShopFlow CPU ms / order',
        'no-op chain CPU ms / order',
        `ShopFlow by phase (${real.phases.map((p) => p.label.replace(/ \(.*\)$/, '')).join(' / ')})`,
        'no-op chain by phase',
      ],
      cpuRows,
    ),
  ].join('\n');
}

/**
 * The no-op chain again with ShopFlow's delivery mechanism (bench/noop-service.ts, NOOP_CHAIN=outbox): what
 * exactly-once processing costs before any business work, beside what ShopFlow and the bare no-op chain cost.
 */
export function mechanismReport(real: FlowResult, noop: FlowResult, outbox: FlowResult): string {
  const [burst, bare, floor] = [real, noop, outbox].map((r) => r.phases[0]);
  const row = (figure: string, of: (r: FlowResult, p: Phase) => number, digits = 1) => {
    const [a, b, c] = [of(real, burst), of(noop, bare), of(outbox, floor)];
    return [figure, a.toFixed(digits), c.toFixed(digits), b.toFixed(digits), b > 0 ? ratio(c, b) : '', ratio(a, c)];
  };
  const perOrder = new Map([real, noop, outbox].map((r) => [r, cpu(r).perOrder]));
  const cpuOf = (name?: string) => (r: FlowResult) => (name ? (perOrder.get(r)![name] ?? 0) : total(perOrder.get(r)!));
  return [
    "The delivery mechanism alone: the outbox chain is the no-op chain with ShopFlow's own exactly-once delivery",
    '(shared/messaging): each delivery claims its event id and writes the events it publishes to the outbox in one',
    'transaction, the relay publishes and marks them after the commit, and the two APIs emit through the outbox too; no',
    'business work, on a database of its own. Any function that keeps the invariants this way costs at least as much:',
    'the outbox chain against the no-op chain is what the mechanism costs; ShopFlow against the outbox chain is what its',
    `business work costs. Burst rounds of the outbox chain, orders confirmed per second: ${rates(outbox)}. CPU as above;`,
    'PostgreSQL counts the whole server for ShopFlow and the outbox chain (the no-op chain does not use it).',
    '',
    table(
      ['figure', 'ShopFlow', 'outbox chain', 'no-op chain', 'outbox / no-op', 'ShopFlow / outbox'],
      [
        row(`${burst.label}: orders/s confirmed`, (_, p) => p.confirmedRate),
        row(`${burst.label}: orders/s shipped`, (_, p) => p.shippedRate),
        row(`${burst.label}: convert → confirmed p50 ms`, (_, p) => p.confirmed.p50, 0),
        row('CPU ms per order, every process, every phase', cpuOf()),
        ...Object.keys(perOrder.get(real)!)
          .sort()
          .map((name) => row(`of it ${name}`, cpuOf(name))),
      ],
    ),
  ].join('\n');
}
