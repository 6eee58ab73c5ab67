import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { db } from '../../shared/db';
import { unconsumedEvents } from '../../shared/messaging/unconsumed';
import { sleep } from './client';

/**
 * After the faults: waits until nothing waits any more (three quiet checks in a row), doing only
 * what an operator would with the product's own tools: the scheduled jobs keep running (the stack's
 * scheduler), messages that ran out of delivery attempts are replayed with `npm run dlq -- replay`,
 * and a subscription far behind (more than BEHIND events over a minute old, two checks in a row) is
 * brought back in step with `npm run dlq -- resync` (docs/RELIABILITY.md), at most every 3 minutes.
 */
export interface Recovery {
  quietAt: number;
  timedOut: boolean;
  replayed: number;
  replayRuns: number;
  resyncs: number;
  waiting: Record<string, number>;
}

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

export async function quiescence(timeoutMs: number, tick: () => void): Promise<Recovery> {
  const deadline = Date.now() + timeoutMs;
  const recovery: Recovery = { quietAt: 0, timedOut: false, replayed: 0, replayRuns: 0, resyncs: 0, waiting: {} };
  let rounds = 0;
  let wasBehind = new Set<string>();
  const resyncedAt = new Map<string, number>();
  for (let quiet = 0; quiet < 3;) {
    if (Date.now() > deadline) return { ...recovery, quietAt: Date.now(), timedOut: true };
    tick();
    recovery.waiting = await waitingWork().catch((error: unknown) => ({ [`unreachable: ${String(error)}`]: 1 }));
    const toReplay = await exhausted().catch(() => []);
    if (toReplay.length > 0) {
      recovery.replayRuns++;
      // the operator's command, as documented in docs/RELIABILITY.md
      const stdout = await operator(['replay', ...toReplay.map(String)]);
      recovery.replayed += Number(/"replayed":(\d+)/.exec(stdout)?.[1] ?? 0);
    }
    const nowBehind = await behind().catch(() => new Set<string>());
    const toResync = [...nowBehind].filter((c) => wasBehind.has(c) && Date.now() - (resyncedAt.get(c) ?? 0) > 180_000);
    wasBehind = nowBehind;
    if (toResync.length > 0) {
      process.stdout.write(`[faults] far behind, resynced: ${toResync.join(', ')}\n`);
      await operator(['resync', ...toResync]);
      for (const c of toResync) resyncedAt.set(c, Date.now());
      recovery.resyncs += toResync.length;
    }
    const busy = Object.values(recovery.waiting).some((n) => n > 0) || toReplay.length > 0;
    if (busy && ++rounds % 5 === 0) {
      const left = Object.entries(recovery.waiting).filter(([, n]) => n > 0);
      process.stdout.write(`[faults] still waiting: ${left.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    }
    quiet = busy ? 0 : quiet + 1;
    if (quiet < 3) await sleep(3_000);
  }
  return { ...recovery, quietAt: Date.now() };
}

/** `npm run dlq -- <args>`, as an operator runs it (docs/RELIABILITY.md); its output. */
async function operator(args: string[]): Promise<string> {
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const { stdout } = await run(tsx, ['scripts/dlq.ts', ...args], { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' } });
  return stdout;
}

const BEHIND = 200;

/** The consumers with more than BEHIND events published over a minute ago that they have not processed (a replayed letter counts). */
async function behind(): Promise<Set<string>> {
  const [unconsumed, bindings] = unconsumedEvents('unreplayed');
  const { rows } = await db().raw(
    `select s.consumer from ${unconsumed} and o.published_at < now() - interval '60 seconds'
      group by s.consumer having count(*) > ?`,
    [...bindings, BEHIND],
  );
  return new Set(rows.map((r: { consumer: string }) => r.consumer));
}

/** Dead letters whose delivery attempts ran out and whose consumer never processed the event: an operator replays them. */
async function exhausted(): Promise<number[]> {
  const rows = await db().raw(
    `select d.id from messaging.dead_letters d
      where d.reason = 'max_attempts' and d.replayed_at is null and d.topic is not null and d.event_id is not null
        and not exists (select 1 from messaging.processed_messages p where p.consumer = d.consumer and p.event_id = d.event_id)`,
  );
  return rows.rows.map((r: { id: string }) => Number(r.id));
}

/** Everything that still waits on an event, a provider or a job. */
async function waitingWork(): Promise<Record<string, number>> {
  const k = db();
  const n = async (q: Promise<{ n: string }[]>) => Number((await q)[0].n);
  const unconsumed = unconsumedEvents('unreplayed');
  const unprocessed = await k.raw(`select count(*)::int as n from ${unconsumed[0]}`, unconsumed[1]);
  return {
    'carts processing': await n(k('cart.carts').where({ status: 'processing' }).count('* as n')),
    'outbox rows unpublished': await n(k('messaging.outbox').whereNull('published_at').count('* as n')),
    'events not yet consumed (replayed dead letters included)': unprocessed.rows[0].n,
    'orders confirmed or paid': await n(k('orders.orders').whereIn('status', ['confirmed', 'paid']).count('* as n')),
    'payments in flight': await n(
      k('payments.payments').whereIn('status', ['pending', 'submitted', 'refund_pending']).count('* as n'),
    ),
    'shipments pending': await n(k('shipments.shipments').where({ status: 'pending' }).count('* as n')),
    'notifications pending': await n(k('notifications.notifications').where({ status: 'pending' }).count('* as n')),
    'reservations behind their order': await n(
      k('inventory.reservations as r')
        .join('orders.orders as o', 'o.cart_id', 'r.cart_id')
        .where((q) =>
          q
            .where({ 'o.status': 'shipped' })
            .whereNot({ 'r.status': 'sold' })
            .orWhere((q2) => q2.where({ 'o.status': 'cancelled' }).whereNot({ 'r.status': 'released' })),
        )
        .count('* as n'),
    ),
  };
}
