import { DEAD_LETTER_TOPIC, eventNames, type EventName } from '../../shared/events/catalog';
import { delivery, jobs, producerOf, pushSubscriptions, serviceNames, services } from '../../shared/topology';

/**
 * docs/architecture.md: the services, every topic with its producer, consumers and subscription,
 * and the order saga, as Mermaid diagrams drawn from shared/topology.ts (regenerated, and checked
 * by a test, like the API documents).
 */

/** The saga's paths, as the events that follow each other; who sends and who receives comes from the topology. */
const SAGA: { title: string; events: EventName[] }[] = [
  {
    title: 'stock reserved, paid, shipped',
    events: ['stock-available', 'order.created', 'payment.succeeded', 'shipment.scheduled'],
  },
  { title: 'out of stock: the cart is unlocked for the customer to fix', events: ['stock.rejected'] },
  {
    title: 'payment fails: the order is cancelled, the stock released',
    events: ['order.created', 'payment.failed', 'order.cancelled'],
  },
  {
    title: 'shipment fails: compensate (cancel, refund, restock)',
    events: ['payment.succeeded', 'shipment.failed', 'order.cancelled', 'payment.refunded'],
  },
];

const id = (name: string) => name.replace(/[^A-Za-z0-9]/g, '_');
const consumersOf = (topic: string) => pushSubscriptions().filter((s) => s.topic === topic);

function servicesAndTopics(): string {
  const lines = ['flowchart LR'];
  for (const service of serviceNames) lines.push(`  ${id(service)}(["${service} :${services[service].port}"])`);
  for (const topic of [...eventNames, DEAD_LETTER_TOPIC]) {
    lines.push(`  t_${id(topic)}[/"${topic}"/]`);
    const producer = topic === DEAD_LETTER_TOPIC ? undefined : producerOf(topic as EventName);
    if (producer) lines.push(`  ${id(producer)} --> t_${id(topic)}`);
    for (const sub of consumersOf(topic)) lines.push(`  t_${id(topic)} --> ${id(sub.service)}`);
  }
  return lines.join('\n');
}

function saga(): string {
  const lines = ['sequenceDiagram', '  actor shopper', `  shopper->>cart: POST /cart/convert-to-order`];
  const send = (event: EventName) => {
    const producer = producerOf(event) ?? 'nobody';
    for (const sub of consumersOf(event)) lines.push(`  ${producer}->>${sub.service}: ${event}`);
  };
  send('order-requested');
  SAGA.forEach((path, i) => {
    lines.push(`  ${i === 0 ? 'alt' : 'else'} ${path.title}`);
    path.events.forEach(send);
  });
  lines.push('  end');
  return lines.join('\n');
}

function topicTable(): string {
  const rows = [...eventNames, DEAD_LETTER_TOPIC].map((topic) => {
    const producer = topic === DEAD_LETTER_TOPIC ? 'Pub/Sub (dead lettering)' : (producerOf(topic as EventName) ?? '—');
    const subs = consumersOf(topic);
    const consumers = subs.map((s) => s.service).join(', ') || '—';
    const subscriptions = subs.map((s) => `\`${s.name}\``).join(', ') || '—';
    const deadLetter = subs.some((s) => s.deadLetterTopic)
      ? `\`${DEAD_LETTER_TOPIC}\` after ${delivery.maxDeliveryAttempts}`
      : '—';
    return `| \`${topic}\` | ${producer} | ${consumers} | ${subscriptions} | ${deadLetter} |`;
  });
  return ['| topic | producer | consumers | push subscriptions | dead letter |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function buildArchitecture(): string {
  const jobLines = Object.entries(jobs).map(([name, job]) => `- \`${name}\` (${job.service}, \`${job.schedule}\` UTC)`);
  return `# Architecture

Generated from \`shared/topology.ts\` and \`shared/events/catalog.ts\` by \`npm run docs:generate\` (a test fails when it is stale).
The HTTP APIs are in [openapi/](openapi/), every topic's payload and attributes in [asyncapi.yaml](asyncapi.yaml);
\`npm run docs:serve\` shows both as web pages.

Services never call each other: each owns its schema and HTTP API, publishes events through its outbox (in the
transaction that changed its data) and receives events as Pub/Sub pushes. Every push subscription retries with
exponential backoff (${delivery.minBackoffSeconds}–${delivery.maxBackoffSeconds} s, ack deadline ${delivery.ackDeadlineSeconds} s) and dead-letters
to \`${DEAD_LETTER_TOPIC}\` after ${delivery.maxDeliveryAttempts} attempts; the messaging service records dead letters for replay (\`npm run dlq\`).

## Services and topics

Each service with its local port; each topic (parallelogram) from its producer to its consumers.

\`\`\`mermaid
${servicesAndTopics()}
\`\`\`

## Every topic

${topicTable()}

## The order saga

\`\`\`mermaid
${saga()}
\`\`\`

A cancellation by the customer (\`POST /orders/{id}/cancel\`) publishes \`order.cancelled\` too: inventory releases the
reservation, payments refunds a captured payment (\`payment.refunded\`), shipments stops a pending shipment.

## Scheduled jobs

${jobLines.join('\n')}
`;
}
