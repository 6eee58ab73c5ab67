import { shutdownTelemetry } from '../shared/telemetry/register'; // first: instruments http, express and pg before they load
import { closeDb } from '../shared/db';
import { log } from '../shared/logger';
import { closePubSub } from '../shared/messaging/pubsub';
import { hostService, type HostedService } from './stack/host';
import { serviceNames, services, type ServiceName } from '../shared/topology';

/**
 * Serves the functions of one or more services, each on its own port:
 * `serve <service>[=<port>] [<service>[=<port>] …]`. Without a port a service takes its SPEC port;
 * PORT overrides it when one service is served. The dev stack starts a few of these processes
 * (scripts/stack/service-processes.ts); each exits when its parent goes away.
 */
function parseArgs(args: string[]): [ServiceName, number][] {
  const usage = `usage: serve <${serviceNames.join('|')}>[=<port>] …`;
  if (args.length === 0) throw new Error(usage);
  return args.map((arg) => {
    const [name, port] = arg.split('=') as [ServiceName, string | undefined];
    if (!serviceNames.includes(name)) throw new Error(usage);
    const fallback = args.length === 1 && process.env.PORT ? process.env.PORT : services[name].port;
    return [name, Number(port ?? fallback)];
  });
}

async function main(): Promise<void> {
  const hosted: HostedService[] = [];
  for (const [service, port] of parseArgs(process.argv.slice(2))) {
    const one = await hostService(service, port);
    hosted.push(one);
    log.info(`${service} listening on ${one.baseUrl}`, { service, port: one.port });
  }
  // `port` is the first service's (tests that fork one service read it), `ports` every one's
  process.send?.({ ready: true, port: hosted[0]!.port, ports: Object.fromEntries(hosted.map((h) => [h.service, h.port])) });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(hosted.map((h) => h.close()));
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
