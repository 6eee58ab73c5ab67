/**
 * When parked provider work is tried again: exponential backoff from 1 s, capped, with the
 * attempt count deciding when the work is surfaced to an operator instead of retried quietly.
 */
export function retryDelaySeconds(attempts: number, maxDelaySeconds: number): number {
  return Math.min(maxDelaySeconds, 2 ** Math.min(Math.max(attempts - 1, 0), 20));
}

export const nextAttemptAt = (now: Date, attempts: number, maxDelaySeconds: number): Date =>
  new Date(now.getTime() + retryDelaySeconds(attempts, maxDelaySeconds) * 1000);
