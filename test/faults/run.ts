import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkAll } from './checks';
import { sleep } from './client';
import { injectors } from './injectors';
import { auditInventory } from './inventory-audit';
import { profiles } from './profiles';
import { quiescence } from './quiescence';
import { printReport } from './report';
import { startFaultStack } from './stack';
import { workload } from './workload';

/**
 * `npm run test:faults [-- --profile=ci|full]`: the whole saga under load while faults are injected,
 * then the accounting at quiescence (docs/RELIABILITY.md). Exit code 0 only when every count of
 * lost, duplicated, unexpected and invariant violations is 0.
 */
async function main(): Promise<number> {
  const profileName = /--profile=(\w+)/.exec(process.argv.join(' '))?.[1] ?? 'full';
  const profile = profiles[profileName] ?? fail(`unknown profile ${profileName}: ${Object.keys(profiles).join(', ')}`);
  const started = Date.now();
  const rate = profile.crashRate;
  const stack = await startFaultStack({
    failpoints: {
      inventory: { points: 'crash-after-commit', rate },
      orders: { points: 'crash-before-ack', rate },
      cart: { points: 'crash-mid-transaction,crash-after-publish', rate },
      payments: { points: 'crash-after-publish,crash-mid-transaction', rate },
      shipments: { points: 'slow-handler', rate: rate / 2 },
      notifications: { points: 'crash-before-ack', rate },
      push: { points: 'crash-mid-transaction', rate },
      messaging: { points: 'crash-after-publish', rate },
    },
    slowHandlerMs: 35_000, // the push subscriptions' ack deadline is 30 s: a parallel redelivery
    env: {
      PAYMENT_TIMEOUT_SECONDS: '3600', // an order waiting on a provider outage must not be cancelled for it
      PAYMENT_WEBHOOK_GRACE_SECONDS: '10',
      PROVIDER_RETRY_MAX_DELAY_SECONDS: '10',
      CART_REDRIVE_AFTER_SECONDS: String(profile.redriveAfterSeconds),
      CART_REDRIVE_MAX: '50',
      ORDER_REDRIVE_AFTER_SECONDS: String(profile.redriveAfterSeconds),
      ORDER_REDRIVE_MAX: '50',
      NOTIFICATION_REDRIVE_AFTER_SECONDS: String(profile.redriveAfterSeconds),
      NOTIFICATION_REDRIVE_MAX: '50',
      UNDELIVERED_REDRIVE_AFTER_SECONDS: String(profile.redriveAfterSeconds),
      UNDELIVERED_REDRIVE_MAX: '20',
      OUTBOX_SWEEP_AFTER_MS: '3000',
      CART_CONVERTS_PER_MINUTE: '30',
      CART_WRITES_PER_MINUTE: '600',
      // During the payment provider's outage every order waits for its payment; with the product's
      // limit of 3 such orders per customer, the workload would stand still for the whole outage.
      CART_MAX_OPEN_ORDERS: '40',
    },
  });
  process.stdout.write(`[faults] profile ${profile.name}; stack up in ${Date.now() - started} ms (logs in ${stack.dir})\n`);
  // Ctrl-C (or a CI timeout's SIGTERM) stops what the suite started: PostgreSQL, the emulator, the services
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stdout.write(`[faults] ${signal}: stopping the stack\n`);
      void stack.close().finally(() => process.exit(130));
    });
  }
  try {
    const shop = workload(stack.baseUrl);
    const customers = await shop.setUp(profile.customers, randomBytes(4).toString('hex'));
    const faults = injectors(stack);
    const mails = new Map<string, number>();
    let lastMail = 0;
    const collectMail = () => {
      for (const m of stack.smtp.received.filter((r) => r.id > lastMail)) {
        lastMail = Math.max(lastMail, m.id);
        if (m.message_id) mails.set(m.message_id, (mails.get(m.message_id) ?? 0) + 1);
      }
    };
    const mailTimer = setInterval(collectMail, 500);

    let running = true;
    const stopAt = Date.now() + profile.workloadMaxMs;
    const shopping = Promise.all(customers.map((c) => shop.shop(c, profile.ordersPerCustomer, stopAt)));
    const inventory = auditInventory(shop.restock, () => !running, 1_000);
    const duplicates = (async () => {
      while (running) {
        await faults.duplicates(profile.duplicatesBatch);
        await sleep(profile.duplicatesEveryMs);
      }
    })();
    const outages = (async () => {
      await sleep(3_000);
      await faults.poison();
      const providers = Promise.all([
        faults.paymentProviderDown(profile.providerDownMs),
        faults.smtpDown(profile.providerDownMs),
      ]);
      for (const fault of [
        () => faults.postgresDown(profile.postgresDownMs),
        () => faults.brokerPaused(profile.brokerPausedMs),
        () => faults.serviceKilled('notifications', profile.serviceKilledMs),
        () => faults.carrierDown(profile.carrierDownMs),
      ]) {
        await sleep(profile.gapMs);
        await fault();
      }
      await providers;
      await faults.poison();
    })();

    const progress = setInterval(
      () =>
        process.stdout.write(`[faults] ${shop.record.converts.length} orders placed, ${shop.record.counters.retried} retries\n`),
      15_000,
    );
    await Promise.all([shopping, outages]).finally(() => clearInterval(progress));
    running = false;
    const [audit] = await Promise.all([inventory, duplicates]);
    const lifted = Math.max(...faults.state.outages.map((o) => o.liftedAt));
    process.stdout.write(`[faults] workload done: ${shop.record.converts.length} orders placed; waiting for quiescence\n`);
    const recovery = await quiescence(profile.recoveryTimeoutMs, collectMail);
    clearInterval(mailTimer);
    collectMail();

    const listOrders = async (customer: string) => {
      const listed: { id: string; cart_id: string; status: string }[] = [];
      for (let cursor: string | null = ''; cursor !== null;) {
        const page = await shop.api('orders')('GET', `/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { customer });
        if (page.status !== 200) return undefined;
        listed.push(...page.body.data);
        cursor = page.body.next_cursor;
      }
      return listed;
    };
    const tally = await checkAll(stack, shop.record, faults.state, mails, audit.violations, customers, listOrders);
    const crashPoints = firedFailpoints(path.join(stack.dir, 'services.log'));
    return printReport({
      profile,
      record: shop.record,
      injected: { ...faults.state.injected, ...crashPoints },
      crashes: stack.crashes,
      audit,
      recovery: { ...recovery, afterLastFaultMs: recovery.quietAt - lifted },
      outages: faults.state.outages,
      tally,
      mails: mails.size,
      elapsedMs: Date.now() - started,
    });
  } finally {
    await stack.close();
  }
}

/** The crash points that fired, by name, from the services' log lines. */
function firedFailpoints(logFile: string): Record<string, number> {
  const fired: Record<string, number> = {};
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const point = /"failpoint":"([a-z-]+)"/.exec(line)?.[1];
    if (point) fired[`failpoint ${point}`] = (fired[`failpoint ${point}`] ?? 0) + 1;
  }
  return fired;
}

function fail(message: string): never {
  throw new Error(message);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[faults] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
