import type { FlowResult } from './flow';
import { ratio, table } from './stats';

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
  return [
    `Each system's own maximum rate is its burst rate (orders confirmed per second): ShopFlow ${real.maxRate.toFixed(1)}/s,`,
    `no-op chain ${noop.maxRate.toFixed(1)}/s; the steady phases send carts at 25, 50 and 100 % of it, evenly spaced.`,
    'For rates the ratio is ShopFlow / no-op (higher is better, 1.00× is the bound); for latencies too (lower is better).',
    '',
    table(['figure', 'ShopFlow', 'no-op bound', 'ratio'], rows),
  ].join('\n');
}
