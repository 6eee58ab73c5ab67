import { shutdownTelemetry } from '../shared/telemetry/register'; // first: instruments http, express and pg before they load
import { closeDb } from '../shared/db';
import { log } from '../shared/logger';
import { closePubSub } from '../shared/messaging/pubsub';
import { hostService } from './stack/host';
import { serviceNames, services, type ServiceName } from '../shared/topology';

/**
 * Serves one service's functions on its port: `tsx scripts/serve.ts <service>` (PORT overrides).
 * Started by the dev stack, one process per service; exits when its parent goes away.
 */
async function main(): Promise<void> {
  const service = process.argv[2] as ServiceName;
  if (!serviceNames.includes(service)) throw new Error(`usage: serve <${serviceNames.join('|')}>`);
  const port = Number(process.env.PORT ?? services[service].port);
  const hosted = await hostService(service, port);
  log.info(`${service} listening on ${hosted.baseUrl}`, { service, port: hosted.port });
  process.send?.({ ready: service, port: hosted.port });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await hosted.close();
    // telemetry first: its last metric collection still reads the database
    await shutdownTelemetry().catch(() => undefined);
    await Promise.allSettled([closeDb(), closePubSub()]);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  log.error('service failed to start', { error });
  process.exit(1);
});
