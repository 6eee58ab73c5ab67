import { readFileSync } from 'node:fs';

/**
 * Where this process runs. Google's serverless runtimes announce themselves in the environment:
 * Cloud Run services and Cloud Functions (gen2, and gen1's newer runtimes) set K_SERVICE / K_REVISION /
 * K_CONFIGURATION, Cloud Run jobs CLOUD_RUN_JOB / CLOUD_RUN_EXECUTION, Cloud Functions FUNCTION_TARGET
 * (FUNCTION_NAME on gen1's older runtimes), App Engine GAE_APPLICATION / GAE_SERVICE / GAE_ENV.
 * Compute Engine and GKE set nothing: their virtual machine says "Google" in its DMI data.
 */
const serverlessMarkers = [
  'K_SERVICE',
  'K_REVISION',
  'K_CONFIGURATION',
  'CLOUD_RUN_JOB',
  'CLOUD_RUN_EXECUTION',
  'FUNCTION_TARGET',
  'FUNCTION_NAME',
  'GAE_APPLICATION',
  'GAE_SERVICE',
  'GAE_ENV',
] as const;

/** The first variable that shows a Google serverless runtime, or undefined. */
export const googleServerlessMarker = (env: NodeJS.ProcessEnv): string | undefined =>
  serverlessMarkers.find((name) => (env[name] ?? '') !== '');

const dmiFiles = ['/sys/class/dmi/id/bios_vendor', '/sys/class/dmi/id/product_name', '/sys/class/dmi/id/sys_vendor'];

/** True on a Compute Engine virtual machine (also a GKE node), by its DMI data. */
export function googleMachine(read: (file: string) => string = (file) => readFileSync(file, 'utf8')): boolean {
  return dmiFiles.some((file) => {
    try {
      return /Google/.test(read(file));
    } catch {
      return false;
    }
  });
}

/** Whether a listening address is reachable only from this machine. */
export const loopbackOnly = (address: string): boolean =>
  address === 'localhost' || address === '::1' || /^127\./.test(address) || /^::ffff:127\./.test(address);
