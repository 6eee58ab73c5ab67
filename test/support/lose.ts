import { pubsub } from '../../shared/messaging/pubsub';
import { consumerFunctionName, type ServiceName } from '../../shared/topology';
import type { EventName } from '../../shared/events/catalog';
import { settle } from './harness';

/**
 * Loses a message on purpose: while `action` runs, one consumer's push subscription does not exist,
 * so what is published to its topic meanwhile never reaches that consumer (the other consumers get
 * it). The subscription comes back with the same settings afterwards — as after an operator's
 * mistake or a message the broker dropped.
 */
export async function losingFor<T>(service: ServiceName, event: EventName, action: () => Promise<T>): Promise<T> {
  const name = consumerFunctionName(service, event);
  const subscription = pubsub().subscription(name);
  const [metadata] = await subscription.getMetadata();
  await subscription.delete();
  try {
    const result = await action();
    await settle();
    return result;
  } finally {
    await pubsub()
      .topic(event)
      .createSubscription(name, {
        pushConfig: { pushEndpoint: metadata.pushConfig!.pushEndpoint! },
        ackDeadlineSeconds: metadata.ackDeadlineSeconds!,
        deadLetterPolicy: metadata.deadLetterPolicy ?? undefined,
        retryPolicy: metadata.retryPolicy ?? undefined,
      });
  }
}
