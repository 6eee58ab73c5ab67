import type { PubSub, Topic } from '@google-cloud/pubsub';
import { config } from '../config';

let client: PubSub | undefined;
const topics = new Map<string, Topic>();

/**
 * One client per process, created on first use; honours PUBSUB_EMULATOR_HOST. The library (with gRPC, google-gax
 * and protobufjs, about a quarter of a second to load) is required then too, not at a function's cold start: a
 * function that only reads never loads it (docs/PERFORMANCE.md).
 */
export function pubsub(): PubSub {
  // against the emulator there is no metadata server: probing for one only printed a MetadataLookupWarning (npm run dlq)
  if (process.env.PUBSUB_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (!client) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PubSub: Client } = require('@google-cloud/pubsub') as typeof import('@google-cloud/pubsub');
    client = new Client({ projectId: config().GOOGLE_CLOUD_PROJECT });
  }
  return client;
}

export function topic(name: string): Topic {
  let t = topics.get(name);
  if (!t) {
    t = pubsub().topic(name, {
      // every hop of the saga awaits its publish after the commit: a 5 ms window made each one ~9.5 ms
      // at p50 against the emulator, 1 ms ~4 ms (bench/publish-latency.ts); rows published together still share a batch
      batching: { maxMessages: 100, maxMilliseconds: 1 },
      gaxOpts: { timeout: 10_000 },
    });
    topics.set(name, t);
  }
  return t;
}

export async function closePubSub(): Promise<void> {
  const current = client;
  client = undefined;
  topics.clear();
  await current?.close();
}
