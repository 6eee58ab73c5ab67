import { hostService } from '../scripts/stack/host';
import { serviceNames } from '../shared/topology';

/**
 * Every service in ONE process, each on its own free port, as the integration tests host them
 * (test/support/harness.ts): what the dev stack's memory would be with one process instead of one
 * per service. Tells its parent the ports; exits with it. Measured by bench/runner-memory.ts.
 */
async function main(): Promise<void> {
  const ports: Record<string, number> = {};
  for (const service of serviceNames) ports[service] = (await hostService(service, 0)).port;
  process.send?.({ ready: 'all', ports });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`serve-all: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
