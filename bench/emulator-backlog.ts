import http from 'node:http';
import { PubSub } from '@google-cloud/pubsub';
import { delivery } from '../shared/topology';
import { launchEmulator } from '../scripts/stack/emulator';
import { freePort } from '../test/support/global-setup';

/**
 * How fast the emulator drains a push subscription's backlog after its endpoint was unreachable:
 * `backlog` messages are published while the endpoint refuses connections for `outage` seconds,
 * then the endpoint answers 204 and `fresh` new messages are published; deliveries are counted
 * every 5 s for a minute. With the topology's retry policy, and without one (`--no-retry-policy`).
 *   npx tsx bench/emulator-backlog.ts [backlog=3000] [outage=20] [--no-retry-policy]
 */
async function main(): Promise<void> {
  const [backlog = 3000, outageSeconds = 20] = process.argv
    .slice(2)
    .filter((a) => !a.startsWith('--'))
    .map(Number);
  const retryPolicy = !process.argv.includes('--no-retry-policy');
  const emulator = await launchEmulator({ port: await freePort(), logFile: '/dev/null' });
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  const client = new PubSub({ projectId: 'emulator-backlog' });
  const counts = { old: 0, fresh: 0 };
  const endpoint = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const text = Buffer.from(JSON.parse(body).message.data, 'base64').toString();
      counts[text.startsWith('fresh') ? 'fresh' : 'old']++;
      res.writeHead(204).end();
    });
  });
  try {
    const port = await freePort();
    const [topic] = await client.createTopic('backlog');
    const [deadLetters] = await client.createTopic('backlog-dead-letters');
    await topic.createSubscription('backlog-push', {
      pushConfig: { pushEndpoint: `http://127.0.0.1:${port}/` },
      ackDeadlineSeconds: delivery.ackDeadlineSeconds,
      deadLetterPolicy: { deadLetterTopic: deadLetters.name, maxDeliveryAttempts: delivery.maxDeliveryAttempts },
      ...(retryPolicy
        ? {
            retryPolicy: {
              minimumBackoff: { seconds: delivery.minBackoffSeconds },
              maximumBackoff: { seconds: delivery.maxBackoffSeconds },
            },
          }
        : {}),
    });
    const publish = (prefix: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => topic.publishMessage({ data: Buffer.from(`${prefix}${i}`) })));
    await publish('old', backlog); // nothing listens on the port: every push is refused
    await new Promise((r) => setTimeout(r, outageSeconds * 1000));
    await new Promise<void>((resolve) => endpoint.listen(port, '127.0.0.1', () => resolve()));
    await publish('fresh', 500);
    const line = (s: number) => `${String(s).padStart(3)} s: ${counts.old} of the backlog, ${counts.fresh} of 500 fresh`;
    process.stdout.write(
      `retry policy: ${retryPolicy ? 'the topology’s' : 'none'}; ${backlog} published during ${outageSeconds} s refused\n`,
    );
    for (let s = 5; s <= 60; s += 5) {
      await new Promise((r) => setTimeout(r, 5_000));
      process.stdout.write(`${line(s)} delivered\n`);
    }
  } finally {
    endpoint.close();
    await client.close();
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
