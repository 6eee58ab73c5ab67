import { config } from '../config';
import { log } from '../logger';
import { ProviderUnavailable } from './http-json';
import { nextAttemptAt } from './retry';

/**
 * Work that waits on an external provider is parked in the owning service's own table (attempts,
 * next_attempt_at, last_error) and re-driven by that service's reconciler job, instead of being
 * thrown back to Pub/Sub, whose attempts run out during a long outage. After
 * PROVIDER_RETRY_SURFACE_AFTER attempts each further retry is logged as an error for an operator.
 */
export interface ParkedWork {
  attempts: number;
  next_attempt_at: Date;
  last_error: string;
}

export function parkedAfter(
  failure: unknown,
  previousAttempts: number,
  what: Record<string, unknown>,
  now = new Date(),
): ParkedWork {
  const c = config();
  const attempts = previousAttempts + 1;
  const lastError = failure instanceof Error ? failure.message : String(failure);
  const fields = { ...what, attempts, error: lastError };
  if (attempts >= c.PROVIDER_RETRY_SURFACE_AFTER) log.error('provider work is still failing; an operator should look', fields);
  else log.warn('provider call failed; parked for the reconciler', fields);
  return {
    attempts,
    next_attempt_at: nextAttemptAt(now, attempts, c.PROVIDER_RETRY_MAX_DELAY_SECONDS),
    last_error: lastError.slice(0, 2000),
  };
}

/** Only an unreachable provider parks work; anything else is a bug or a refusal and is thrown. */
export const isProviderOutage = (error: unknown): error is ProviderUnavailable => error instanceof ProviderUnavailable;
