import { log } from '../logger';
import { jobs, type JobName } from '../topology';
import { registerHttp } from './registry';

/**
 * Registers a scheduled job (shared/topology.ts `jobs`) as an HTTP function of the service that
 * owns it: Cloud Scheduler calls it in production, the dev stack's scheduler locally. The answer
 * is what the job did; a job that fails answers 500, and the next run tries again.
 */
export function registerJob(name: JobName, work: () => Promise<Record<string, number>>): void {
  registerHttp({ name, service: jobs[name].service, kind: 'job' }, async (_req, res) => {
    const result = await work();
    if (Object.values(result).some((n) => n > 0)) log.info(`${name} ran`, { job: name, ...result });
    res.status(200).json({ job: name, ...result });
  });
}
