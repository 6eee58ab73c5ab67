import '../../shared/telemetry/register'; // first, as in scripts/serve.ts
import type { ServiceName } from '../../shared/topology';
import { registerProbes } from './probe-consumers';

/** `serve-with-probes.ts customers`: scripts/serve.ts for one service, with the probe consumers registered in it. */
registerProbes(process.argv[2] as Extract<ServiceName, 'customers' | 'products'>);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the probes are registered
require('../../scripts/serve');
