/**
 * Keeps a piece of infrastructure the dev stack started (PostgreSQL, the Pub/Sub emulator) running:
 * when its process exits while the stack runs, it is started again after a backoff (0.5 s doubling to
 * 8 s, then every 8 s until it starts), and `afterRestart` runs (e.g. the emulator's topology is
 * provisioned again: a restarted emulator has none). What it held in memory is gone; the product's
 * own re-drives bring back what was in flight (docs/RELIABILITY.md).
 */
export interface Infrastructure {
  stop(): Promise<void>;
}

export interface Supervised<T extends Infrastructure> {
  current(): T;
  /** Stops the process and stops supervising it. */
  stop(): Promise<void>;
}

/** The waits before restarting a process of the dev stack (infrastructure here, service groups in dev.ts). */
export const RESTART_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];

export async function supervise<T extends Infrastructure>(
  name: string,
  start: (onExit: (how: string) => void) => Promise<T>,
  options: {
    say: (line: string) => void;
    /** True once the whole stack is stopping: an exit then is expected. */
    stopping: () => boolean;
    /** Whether its port is free; when another process took it meanwhile (someone restarted it by hand), that one is left to serve. */
    portFree?: () => Promise<boolean>;
    afterRestart?: (started: T) => Promise<void>;
  },
): Promise<Supervised<T>> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  // reported after the first delay: a Ctrl-C reaches the whole process group, which stops the stack meanwhile
  const onExit = (how: string) => {
    timer = setTimeout(() => {
      if (stopped || options.stopping()) return;
      options.say(`${name} exited (${how}); starting it again`);
      void restart();
    }, RESTART_DELAYS_MS[0]);
  };
  const restartLater = () => {
    timer = setTimeout(() => void restart(), RESTART_DELAYS_MS[Math.min(failures, RESTART_DELAYS_MS.length - 1)]);
  };
  /** A start in flight: stop() waits for it, so that the process it starts is the one stopped. */
  let starting: Promise<unknown> | undefined;
  const restart = async () => {
    if (stopped || options.stopping()) return;
    if (options.portFree && !(await options.portFree())) {
      options.say(`${name}: another process serves its port now; it is left to serve, and no longer restarted here`);
      return;
    }
    try {
      starting = start(onExit);
      running = (await starting) as T;
    } catch (error) {
      failures++;
      options.say(`${name} could not start again (${message(error)}); retrying`);
      return restartLater();
    } finally {
      starting = undefined;
    }
    if (stopped) return;
    failures = 0;
    options.say(`${name} running again`);
    // it runs: a failure here is reported, not a reason to start a second one
    await options.afterRestart?.(running).catch((error: unknown) => options.say(`${name}: after its restart, ${message(error)}`));
  };
  let running = await start(onExit);
  return {
    current: () => running,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await starting?.catch(() => undefined);
      await running.stop();
    },
  };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
