import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The Google Pub/Sub emulator: PUBSUB_EMULATOR_HOST when set, otherwise the emulator's own jar
 * started directly with Java (≈1 s, and one process to stop, unlike the gcloud wrapper).
 */
export interface RunningEmulator {
  host: string;
  pid?: number;
  stop(): Promise<void>;
}

/** Where Google Cloud SDKs usually live: the Debian/RPM packages, the google-cloud-cli images, manual installs. */
const KNOWN_SDK_ROOTS = [
  '/usr/lib/google-cloud-sdk',
  '/google-cloud-sdk',
  '/usr/share/google-cloud-sdk',
  '/opt/google-cloud-sdk',
];
const JAR_DIR = 'platform/pubsub-emulator/lib';
const JAR = /^cloud-pubsub-emulator-.*-all\.jar$/;

/** The SDK root `gcloud info` reports, or undefined when gcloud is missing or fails. */
function gcloudSdkRoot(): string | undefined {
  try {
    const root = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    }).trim();
    return root || undefined;
  } catch {
    return undefined;
  }
}

function jarIn(dir: string): string | undefined {
  try {
    const jar = readdirSync(dir).find((f) => JAR.test(f));
    return jar ? path.join(dir, jar) : undefined;
  } catch {
    return undefined; // no such folder
  }
}

/**
 * The emulator's jar: PUBSUB_EMULATOR_JAR, else the known SDK locations (the google-cloud-cli:emulators
 * image keeps it under /google-cloud-sdk, Debian packages under /usr/lib/google-cloud-sdk), else the
 * SDK root `gcloud info` reports. The error names everything that was tried.
 */
export function emulatorJar({
  env = process.env,
  sdkRoot = gcloudSdkRoot,
  knownRoots = KNOWN_SDK_ROOTS,
}: { env?: NodeJS.ProcessEnv; sdkRoot?: () => string | undefined; knownRoots?: readonly string[] } = {}): string {
  const tried: string[] = [];
  if (env.PUBSUB_EMULATOR_JAR) {
    if (existsSync(env.PUBSUB_EMULATOR_JAR)) return env.PUBSUB_EMULATOR_JAR;
    tried.push(`PUBSUB_EMULATOR_JAR=${env.PUBSUB_EMULATOR_JAR} (no such file)`);
  }
  const look = (root: string): string | undefined => {
    const dir = path.join(root, JAR_DIR);
    const jar = jarIn(dir);
    if (!jar) tried.push(`${dir}/cloud-pubsub-emulator-*-all.jar`);
    return jar;
  };
  for (const root of knownRoots) {
    const jar = look(root);
    if (jar) return jar;
  }
  // Last, because `gcloud info` takes seconds: an SDK installed anywhere else.
  const gcloudRoot = sdkRoot();
  if (!gcloudRoot) tried.push('`gcloud info --format=value(installation.sdk_root)` (gcloud missing or failed)');
  else if (!knownRoots.includes(gcloudRoot)) {
    const jar = look(gcloudRoot);
    if (jar) return jar;
  }
  throw new Error(
    `no Pub/Sub emulator jar found; tried: ${tried.join('; ')}. Install the emulator ` +
      '(`gcloud components install pubsub-emulator` or the google-cloud-cli-pubsub-emulator package), ' +
      'set PUBSUB_EMULATOR_JAR to its jar, or set PUBSUB_EMULATOR_HOST to a running emulator',
  );
}

/**
 * The JVM would size its heap from the machine (a quarter of its memory) and hold on to what it
 * grew to. The serial collector sizes the heap by what is live, so under a burst the emulator stays
 * near 200 MiB instead of 400+ (docs/PERFORMANCE.md). But the emulator keeps every message ever
 * published, acknowledged or not (about 2.5 KiB each with our attributes): a 256 MiB ceiling was full
 * after about 100,000 messages, and the JVM then spent a whole core collecting while deliveries
 * crawled (the fault suite's full profile, docs/RELIABILITY.md). 1 GiB is room for about 400,000.
 */
const JVM_FLAGS = ['-Xms32m', '-Xmx1g', '-XX:+UseSerialGC', '-XX:MaxMetaspaceSize=128m'];

export interface EmulatorOptions {
  port: number;
  logFile: string;
  /** Called when the emulator exits after it started (on its own, or on stop()). */
  onExit?: (how: string) => void;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  if (process.env.PUBSUB_EMULATOR_HOST) return { host: process.env.PUBSUB_EMULATOR_HOST, stop: async () => {} };
  return launchEmulator(options);
}

/** The emulator's jar started here, whatever PUBSUB_EMULATOR_HOST says (e.g. to start again the one a stack started). */
export async function launchEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = `127.0.0.1:${options.port}`;
  const child = spawn('java', [...JVM_FLAGS, '-jar', emulatorJar(), '--host=127.0.0.1', `--port=${options.port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // without Java on the PATH spawn fails asynchronously: report it instead of crashing the process
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const logStream = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout!.pipe(logStream);
  child.stderr!.pipe(logStream);
  await waitForEmulator(host, child, () => spawnError);
  child.once('exit', (code, signal) => options.onExit?.(signal ?? `exit code ${code}`));
  return { host, pid: child.pid, stop: () => stopChild(child) };
}

async function waitForEmulator(host: string, child: ChildProcess, failed: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const error = failed();
    if (error) throw new Error(`the Pub/Sub emulator could not start (${error.message}); it needs Java 17 on the PATH`);
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
