import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Structured JSON logs, one line per record, in the shape Cloud Logging reads
 * (severity, message, plus any fields). Trace fields are added by a provider that
 * telemetry installs, so this file has no tracing dependency.
 */
type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
type Fields = Record<string, unknown>;

const rank: Record<Severity | 'OFF', number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, OFF: 4 };
const levelToSeverity = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', silent: 'OFF' } as const;

let contextProvider: () => Fields = () => ({});
const scope = new AsyncLocalStorage<Fields>();
const threshold = (): number =>
  rank[levelToSeverity[(process.env.LOG_LEVEL as keyof typeof levelToSeverity) ?? 'info'] ?? 'INFO'];

export function setLogContextProvider(provider: () => Fields): void {
  contextProvider = provider;
}

/** Runs `work` with `fields` on every log line written inside it (e.g. a consumer's event_id, event_type). */
export function withLogContext<T>(fields: Fields, work: () => T): T {
  return scope.run({ ...scope.getStore(), ...fields }, work);
}

function write(severity: Severity, message: string, fields: Fields = {}): void {
  if (rank[severity] < threshold()) return;
  const record = { severity, message, time: new Date().toISOString(), ...contextProvider(), ...scope.getStore(), ...fields };
  const line = JSON.stringify(record, (_key, value: unknown) =>
    value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
  );
  (severity === 'ERROR' || severity === 'WARNING' ? process.stderr : process.stdout).write(line + '\n');
}

export const log = {
  debug: (message: string, fields?: Fields) => write('DEBUG', message, fields),
  info: (message: string, fields?: Fields) => write('INFO', message, fields),
  warn: (message: string, fields?: Fields) => write('WARNING', message, fields),
  error: (message: string, fields?: Fields) => write('ERROR', message, fields),
};
