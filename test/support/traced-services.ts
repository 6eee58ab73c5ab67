import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pubsub } from '../../shared/messaging/pubsub';
import { pushPath, type ServiceName } from '../../shared/topology';
import { stopChild } from '../../scripts/stack/emulator';
import { createPushSubscription, provisionTopology } from '../../scripts/stack/provision';
import { localFunctionUrl } from '../../scripts/stack/push-token';
import { httpClient, type HttpClient, type TestSystem } from './harness';
import type { OtlpReceiver } from './otlp-receiver';

/**
 * Services as real processes with telemetry on, as `npm run dev` starts them (scripts/serve.ts, whose
 * first import starts the SDK), exporting to an in-process OTLP receiver; the emulator pushes to them.
 * Jest's module registry bypasses the require hooks that instrument http, express and pg, so tracing
 * is proven out of process. Each process's stdout JSON log lines are kept for assertions.
 */
const root = path.resolve(__dirname, '../..');

export interface TracedProcess {
  name: string;
  baseUrl: string;
  logs: Record<string, any>[];
  http: HttpClient;
  /** Push endpoint of one of its functions for a topic of this test's project. */
  pushEndpoint(functionName: string, topic: string): string;
  child: ChildProcess;
}

export interface TracedSpec {
  /** Telemetry service.name, and the key in `processes`. */
  name: string;
  service: ServiceName;
  /** The entry script; scripts/serve.ts unless a test needs extra functions in the process. */
  script?: string;
  env?: Record<string, string>;
}

export interface TracedServices {
  processes: Record<string, TracedProcess>;
  /** Every log line of every process, each with `process` set to the process name. */
  logs(): Record<string, any>[];
  stop(): Promise<void>;
}

export async function startTracedServices(
  system: TestSystem,
  receiver: OtlpReceiver,
  specs: TracedSpec[],
): Promise<TracedServices> {
  const launched = await Promise.allSettled(specs.map((spec) => launch(system, receiver, spec)));
  const processes = Object.fromEntries(
    launched.flatMap((l): [string, TracedProcess][] => (l.status === 'fulfilled' ? [[l.value.name, l.value]] : [])),
  );
  const failure = launched.find((l) => l.status === 'rejected');
  if (failure) {
    await Promise.all(Object.values(processes).map((p) => stopChild(p.child)));
    throw failure.reason;
  }
  const byService = new Map(specs.map((s) => [s.service, processes[s.name]]));
  await provisionTopology(pubsub(), (sub) => byService.get(sub.service)?.pushEndpoint(sub.functionName, sub.topic));
  return {
    processes,
    logs: () => Object.values(processes).flatMap((p) => p.logs.map((line) => ({ ...line, process: p.name }))),
    stop: async () => {
      await Promise.all(Object.values(processes).map((p) => stopChild(p.child, 10_000)));
    },
  };
}

/** A push subscription from `topic` to a function of a traced process, with the topology's retry and dead-letter policy. */
export const subscribe = (proc: TracedProcess, functionName: string, topic: string) =>
  createPushSubscription(
    pubsub(),
    { name: functionName, topic, deadLetterTopic: 'dead-letter' },
    proc.pushEndpoint(functionName, topic),
  );

function launch(system: TestSystem, receiver: OtlpReceiver, spec: TracedSpec): Promise<TracedProcess> {
  const child = fork(spec.script ?? path.join(root, 'scripts/serve.ts'), [spec.service], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      OTEL_SERVICE_NAME: spec.name,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_METRIC_EXPORT_TIMEOUT: '400',
      ...spec.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logs: Record<string, any>[] = [];
  const stderr: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line));
      } catch {
        stderr.push(line);
      }
    });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} did not start within 90 s`)), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited with code ${code}: ${stderr.join('\n')}`));
    });
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      const baseUrl = `http://127.0.0.1:${message.port}`;
      resolve({
        name: spec.name,
        baseUrl,
        logs,
        http: httpClient(baseUrl),
        pushEndpoint: (fn, topic) => localFunctionUrl(baseUrl, fn) + pushPath(system.project, topic),
        child,
      });
    });
  });
}
