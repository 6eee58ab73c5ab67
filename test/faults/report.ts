import type { Findings, Tally } from './checks';
import type { InventoryAudit } from './inventory-audit';
import type { Profile } from './profiles';
import type { Recovery } from './quiescence';
import type { WorkloadRecord } from './workload';

/** The one table of a fault run; the exit code is 0 only when every finding count is 0. */
export interface RunReport {
  profile: Profile;
  record: WorkloadRecord;
  injected: Record<string, number>;
  crashes: Record<string, number>;
  audit: InventoryAudit;
  recovery: Recovery & { afterLastFaultMs: number };
  outages: { kind: string; startedAt: number; liftedAt: number }[];
  tally: Tally;
  mails: number;
  elapsedMs: number;
}

export function printReport(r: RunReport): number {
  const rows: [string, string, string | number][] = [];
  const section = (name: string, entries: Record<string, number>) =>
    Object.entries(entries)
      .sort(([a], [b]) => a.localeCompare(b))
      .forEach(([k, v]) => rows.push([name, k, v]));
  rows.push(['run', 'profile', r.profile.name]);
  rows.push(['run', 'elapsed (s)', Math.round(r.elapsedMs / 1000)]);
  rows.push(['operations', 'orders placed (accepted converts)', r.record.converts.length]);
  section('operations', r.record.operations);
  rows.push(['operations', 'HTTP requests (retried)', `${r.record.counters.requests} (${r.record.counters.retried})`]);
  section('operations', prefixed('refused', r.record.refused));
  rows.push(['operations', 'inventory snapshots (failed while down)', `${r.audit.snapshots} (${r.audit.failedSnapshots})`]);
  rows.push(['operations', 'restocks applied', r.audit.restocks]);
  rows.push(['operations', 'distinct mails received', r.mails]);
  section('outcomes', r.tally.outcomes);
  section('injected', r.injected);
  section('injected', prefixed('process died', r.crashes));
  rows.push(['recovery', 'quiescent after the last fault (s)', (r.recovery.afterLastFaultMs / 1000).toFixed(1)]);
  rows.push(['recovery', 'dead letters replayed by the operator (runs)', `${r.recovery.replayed} (${r.recovery.replayRuns})`]);
  rows.push(['recovery', 'subscriptions far behind, resynced by the operator', `${r.recovery.resyncs}`]);
  rows.push(['recovery', 'timed out', r.recovery.timedOut ? 'YES' : 'no']);
  for (const o of r.outages) rows.push(['recovery', `${o.kind} lasted (s)`, ((o.liftedAt - o.startedAt) / 1000).toFixed(1)]);
  if (r.recovery.timedOut) section('still waiting', r.recovery.waiting);
  const failing = (Object.entries(r.tally.findings) as [keyof Findings, { count: number }][]).filter(([, f]) => f.count > 0);
  for (const [name, f] of Object.entries(r.tally.findings)) rows.push(['RESULT', name, f.count]);

  const width = [12, Math.max(...rows.map((x) => x[1].length)), 10];
  const out = rows.map(([a, b, c]) => `| ${a.padEnd(width[0])} | ${b.padEnd(width[1])} | ${String(c).padStart(width[2])} |`);
  process.stdout.write(['', ...out, ''].join('\n'));
  for (const [name, f] of Object.entries(r.tally.findings)) {
    for (const example of f.examples) process.stdout.write(`  ${name}: ${example}\n`);
  }
  const created = r.tally.outcomes['orders created'] ?? 0;
  const tooFew = created < r.profile.minOrders;
  if (tooFew)
    process.stdout.write(`[faults] only ${created} orders created; the ${r.profile.name} profile needs ${r.profile.minOrders}\n`);
  const ok = failing.length === 0 && !r.recovery.timedOut && !tooFew;
  process.stdout.write(ok ? '[faults] PASS: 0 lost, 0 duplicated, 0 unexpected, 0 violations\n' : '[faults] FAIL\n');
  return ok ? 0 : 1;
}

const prefixed = (prefix: string, entries: Record<string, number>) =>
  Object.fromEntries(Object.entries(entries).map(([k, v]) => [`${prefix} ${k}`, v]));
