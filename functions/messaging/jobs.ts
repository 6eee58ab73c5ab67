import type { HttpFunction } from '@google-cloud/functions-framework';
import { log } from '../../shared/logger';
import { sweepOutbox } from '../../shared/messaging/relay';
import { pruneMessaging } from '../../shared/messaging/retention';
import type { JobName } from '../../shared/topology';

const work: Record<JobName, () => Promise<Record<string, number>>> = {
  'outbox-sweeper': sweepOutbox,
  'messaging-prune': pruneMessaging,
};

/** A scheduled job as an HTTP function (Cloud Scheduler calls it; so does the local scheduler). */
export const runJob =
  (job: JobName): HttpFunction =>
  async (_req, res) => {
    const result = await work[job]();
    if (Object.values(result).some((n) => n > 0)) log.info(`${job} ran`, { job, ...result });
    res.status(200).json({ job, ...result });
  };
