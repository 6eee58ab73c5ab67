import { PubSub } from '@google-cloud/pubsub';
import { startEmulator } from '../scripts/stack/emulator';
import { freePort } from '../test/support/global-setup';
import { percentile } from './stats';

/**
 * What the publisher's batching window costs a caller that awaits its publish (the relay after a
 * commit, on every hop of the saga): one publish at a time against the emulator, for each
 * `maxMilliseconds` given, alternating, p50 and p95.
 *   npx tsx bench/publish-latency.ts [maxMilliseconds…]   (default: 5 1 0)
 */
async function main(): Promise<void> {
  const windows = process.argv.slice(2).map(Number);
  const settings = windows.length > 0 ? windows : [5, 1, 0];
  const emulator = await startEmulator({ port: await freePort(), logFile: '/dev/null' });
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  process.env.METADATA_SERVER_DETECTION = 'none';
  const client = new PubSub({ projectId: 'publish-latency' });
  try {
    await client.createTopic('latency');
    const samples = new Map<number, number[]>(settings.map((ms) => [ms, []]));
    for (let round = 0; round < 4; round++) {
      for (const ms of settings) {
        const topic = client.topic('latency', {
          batching: { maxMessages: 100, maxMilliseconds: ms },
          gaxOpts: { timeout: 10_000 },
        });
        for (let i = 0; i < 150; i++) {
          const t = performance.now();
          await topic.publishMessage({ data: Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(300) })), attributes: { a: 'b' } });
          if (i >= 10) samples.get(ms)!.push(performance.now() - t); // the first few open the channel
        }
      }
    }
    for (const [ms, lat] of samples) {
      process.stdout.write(
        `maxMilliseconds ${ms}: p50 ${percentile(lat, 50).toFixed(2)} ms, p95 ${percentile(lat, 95).toFixed(2)} ms (${lat.length} publishes)\n`,
      );
    }
  } finally {
    await client.close();
    await emulator.stop();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`publish-latency: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
