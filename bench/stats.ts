/** Small numeric helpers shared by the benchmarks. */
export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};
export const median = (values: number[]): number => percentile(values, 50);
/** "1.23×" — how many times the yardstick the figure is. */
export const ratio = (measured: number, yardstick: number): string => `${(measured / yardstick).toFixed(2)}×`;
export const ms = (n: number): string => `${n.toFixed(0)} ms`;
export const perSecond = (count: number, elapsedMs: number): number => count / (elapsedMs / 1000);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; throws `what` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string | (() => Promise<string> | string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`benchmark timed out waiting: ${typeof what === 'string' ? what : await what()}`);
    await sleep(200);
  }
}

/** A markdown table. */
export const table = (header: string[], rows: (string | number)[][]): string =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
