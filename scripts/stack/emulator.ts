import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync } from 'node:fs';

/**
 * The Google Pub/Sub emulator: PUBSUB_EMULATOR_HOST when set, otherwise the emulator's own jar
 * started directly with Java (≈1 s, and one process to stop, unlike the gcloud wrapper).
 */
export interface RunningEmulator {
  host: string;
  pid?: number;
  stop(): Promise<void>;
}

const SDK_LIB = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib';

function emulatorJar(): string {
  if (process.env.PUBSUB_EMULATOR_JAR) return process.env.PUBSUB_EMULATOR_JAR;
  const jar = readdirSync(SDK_LIB).find((f) => /^cloud-pubsub-emulator-.*-all\.jar$/.test(f));
  if (!jar)
    throw new Error(
      `no Pub/Sub emulator jar in ${SDK_LIB}; install google-cloud-cli-pubsub-emulator or set PUBSUB_EMULATOR_HOST`,
    );
  return `${SDK_LIB}/${jar}`;
}

export async function startEmulator(options: { port: number; logFile: string }): Promise<RunningEmulator> {
  if (process.env.PUBSUB_EMULATOR_HOST) return { host: process.env.PUBSUB_EMULATOR_HOST, stop: async () => {} };
  const host = `127.0.0.1:${options.port}`;
  const child = spawn('java', ['-jar', emulatorJar(), '--host=127.0.0.1', `--port=${options.port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logStream = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout!.pipe(logStream);
  child.stderr!.pipe(logStream);
  await waitForEmulator(host, child);
  return { host, pid: child.pid, stop: () => stopChild(child) };
}

async function waitForEmulator(host: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Pub/Sub emulator exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://${host}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the Pub/Sub emulator did not start within 60 s');
}

/** Stops a child: SIGTERM, then SIGKILL after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Wipes every topic and subscription of every project in the emulator. */
export async function resetEmulator(host: string): Promise<void> {
  await fetch(`http://${host}/reset`, { method: 'POST' });
}
