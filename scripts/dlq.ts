import { closeDb, db } from '../shared/db';
import { DEAD_LETTERS } from '../shared/messaging/dead-letter';
import { closePubSub } from '../shared/messaging/pubsub';
import { replayDeadLetters } from '../shared/messaging/replay';
import { resyncSubscription } from '../shared/messaging/resync';
import { listStuck } from './stuck';

/**
 * `npm run dlq -- list [consumer]` shows what is in the dead-letter store;
 * `npm run dlq -- replay <id…> | --consumer <name>` re-publishes it (DATABASE_URL, PUBSUB_EMULATOR_HOST or credentials),
 * only to the topic the recorder verified (`topic` in the listing; empty: never replayed);
 * `npm run dlq -- stuck` lists what the reconcilers surfaced (scripts/stuck.ts);
 * `npm run dlq -- resync <consumer…>` drops a subscription's backlog and re-publishes from the outbox
 * what that consumer has not processed (shared/messaging/resync.ts), for a subscription far behind.
 */
async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'list') {
    const rows = await db()(DEAD_LETTERS)
      .modify((q) => (args[0] ? q.where({ consumer: args[0] }) : q))
      .orderBy('id')
      .select('id', 'consumer', 'topic', 'reason', 'event_type', 'event_id', 'error', 'created_at', 'replayed_at');
    for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
  } else if (command === 'replay') {
    const consumer = args[0] === '--consumer' ? args[1] : undefined;
    const ids = consumer ? undefined : args.map(Number).filter(Number.isInteger);
    if (!consumer && !ids?.length) throw new Error('usage: dlq replay <id…> | --consumer <name>');
    process.stdout.write(JSON.stringify(await replayDeadLetters({ ids, consumer })) + '\n');
  } else if (command === 'resync') {
    if (args.length === 0) throw new Error('usage: dlq resync <consumer…>');
    for (const consumer of args) process.stdout.write(JSON.stringify(await resyncSubscription(consumer)) + '\n');
  } else if (command === 'stuck') {
    for (const item of await listStuck(db())) process.stdout.write(JSON.stringify(item) + '\n');
  } else {
    throw new Error(
      'usage: dlq list [consumer] | dlq replay <id…> | dlq replay --consumer <name> | dlq stuck | dlq resync <consumer…>',
    );
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => Promise.allSettled([closeDb(), closePubSub()]));
