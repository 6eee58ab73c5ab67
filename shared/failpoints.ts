import { config, type Failpoint } from './config';
import { log } from './logger';

/**
 * Test-only fault points (the fault suite, test/faults/, and the crash tests). Off unless
 * SHOPFLOW_FAILPOINT names them; the configuration refuses them on a Google runtime (shared/config.ts).
 *
 * - `crash-mid-transaction`  inside a consumer's transaction, after its handler ran, before the commit
 * - `crash-after-commit`     after a transaction committed, before its outbox rows are published
 * - `crash-after-publish`    after the relay published rows, before it marks them published
 * - `crash-before-ack`       after a consumer committed and published, before it answers (acks) the push
 * - `slow-handler`           a consumer holds its transaction SHOPFLOW_FAILPOINT_DELAY_MS (past the ack deadline)
 *
 * Each enabled point fires with probability SHOPFLOW_FAILPOINT_RATE; a crash is a SIGKILL of the
 * process (no clean-up, no finally blocks), as a lost instance would be.
 */
export type { Failpoint };

export async function failpoint(point: Failpoint): Promise<void> {
  const c = config();
  if (c.SHOPFLOW_FAILPOINT.length === 0 || !c.SHOPFLOW_FAILPOINT.includes(point)) return;
  if (Math.random() >= c.SHOPFLOW_FAILPOINT_RATE) return;
  log.warn('failpoint fired', { failpoint: point });
  if (point === 'slow-handler') {
    await new Promise((resolve) => setTimeout(resolve, c.SHOPFLOW_FAILPOINT_DELAY_MS));
    return;
  }
  process.kill(process.pid, 'SIGKILL');
}
