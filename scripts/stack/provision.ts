import type { PubSub } from '@google-cloud/pubsub';
import { delivery, pushSubscriptions, topicNames, type PushSubscription } from '../../shared/topology';

/**
 * Creates the whole Pub/Sub topology from shared/topology.ts: every topic, and a push
 * subscription per consuming function with the retry policy and dead-letter policy.
 */
export async function provisionTopology(
  pubsub: PubSub,
  endpointFor: (sub: PushSubscription) => string | undefined,
): Promise<void> {
  await Promise.all(topicNames().map((name) => ignoreExists(pubsub.createTopic(name))));
  await Promise.all(
    pushSubscriptions().map(async (sub) => {
      const pushEndpoint = endpointFor(sub);
      if (pushEndpoint) await createPushSubscription(pubsub, sub, pushEndpoint);
    }),
  );
}

/** One push subscription with the topology's delivery settings; an existing one gets the new endpoint. */
export async function createPushSubscription(
  pubsub: PubSub,
  sub: Pick<PushSubscription, 'name' | 'topic' | 'deadLetterTopic'>,
  pushEndpoint: string,
): Promise<void> {
  const created = await ignoreExists(
    pubsub.topic(sub.topic).createSubscription(sub.name, {
      pushConfig: { pushEndpoint },
      ackDeadlineSeconds: delivery.ackDeadlineSeconds,
      messageRetentionDuration: { seconds: delivery.messageRetentionSeconds },
      retryPolicy: {
        minimumBackoff: { seconds: delivery.minBackoffSeconds },
        maximumBackoff: { seconds: delivery.maxBackoffSeconds },
      },
      ...(sub.deadLetterTopic
        ? {
            deadLetterPolicy: {
              deadLetterTopic: pubsub.topic(sub.deadLetterTopic).name,
              maxDeliveryAttempts: delivery.maxDeliveryAttempts,
            },
          }
        : {}),
    }),
  );
  if (!created) await pubsub.subscription(sub.name).modifyPushConfig({ pushEndpoint });
}

/** Deletes every subscription of the topology (a push subscription left to a dead endpoint floods the emulator). */
export async function removeSubscriptions(pubsub: PubSub): Promise<void> {
  const [subscriptions] = await pubsub.getSubscriptions();
  await Promise.all(subscriptions.map((sub) => sub.delete().catch(() => undefined)));
}

async function ignoreExists<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (error) {
    if ((error as { code?: number }).code === 6) return undefined; // ALREADY_EXISTS
    throw error;
  }
}

/**
 * Whether the emulator at `host` still has every topic and subscription of the topology, asked over
 * its REST API (no gRPC client kept open for it). An emulator restarted without its state has none.
 */
export async function topologyIntact(host: string, project: string): Promise<boolean> {
  const names = async (kind: 'topics' | 'subscriptions') => {
    const found = new Set<string>();
    let pageToken = '';
    do {
      const res = await fetch(`http://${host}/v1/projects/${project}/${kind}?pageSize=1000&pageToken=${pageToken}`);
      if (!res.ok) throw new Error(`the emulator answered ${res.status} listing ${kind}`);
      const page = (await res.json()) as Record<string, { name: string }[] | string | undefined>;
      for (const item of (page[kind] as { name: string }[] | undefined) ?? []) found.add(item.name.split('/').pop()!);
      pageToken = (page.nextPageToken as string | undefined) ?? '';
    } while (pageToken);
    return found;
  };
  const [topics, subscriptions] = await Promise.all([names('topics'), names('subscriptions')]);
  return topicNames().every((t) => topics.has(t)) && pushSubscriptions().every((s) => subscriptions.has(s.name));
}
