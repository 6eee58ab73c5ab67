import { AsyncLocalStorage } from 'node:async_hooks';
import { jsonLine, prettyLine, type LogRecord } from './log-format';

/**
 * Structured logs, one line per record, in the shape Cloud Logging reads (severity, message, plus
 * any fields) — or, on a terminal, short readable lines from the same calls (LOG_FORMAT=json|pretty
 * overrides). Trace fields are added by a provider that telemetry installs, so this file has no
 * tracing dependency. Hand-written rather than pino: see docs/decisions.md (cold start).
 */
type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
type Fields = Record<string, unknown>;

const rank: Record<Severity | 'OFF', number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, OFF: 4 };
const levelToSeverity = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', silent: 'OFF' } as const;

let contextProvider: () => Fields = () => ({});
const scope = new AsyncLocalStorage<Fields>();
const threshold = (): number =>
  rank[levelToSeverity[(process.env.LOG_LEVEL as keyof typeof levelToSeverity) ?? 'info'] ?? 'INFO'];

/** Pretty on a terminal, JSON anywhere else (Cloud Functions, CI, pipes, files). */
const pretty = (stream: NodeJS.WriteStream): boolean =>
  process.env.LOG_FORMAT === 'pretty' || (process.env.LOG_FORMAT !== 'json' && stream.isTTY === true);

export function setLogContextProvider(provider: () => Fields): void {
  contextProvider = provider;
}

/** Runs `work` with `fields` on every log line written inside it (e.g. a consumer's event_id, event_type). */
export function withLogContext<T>(fields: Fields, work: () => T): T {
  return scope.run({ ...scope.getStore(), ...fields }, work);
}

function write(severity: Severity, message: string, fields: Fields = {}): void {
  if (rank[severity] < threshold()) return;
  const record: LogRecord = {
    severity,
    message,
    time: new Date().toISOString(),
    ...contextProvider(),
    ...scope.getStore(),
    ...fields,
  };
  const stream = severity === 'ERROR' || severity === 'WARNING' ? process.stderr : process.stdout;
  stream.write((pretty(stream) ? prettyLine(record, stream.hasColors?.() ?? false) : jsonLine(record)) + '\n');
}

export const log = {
  debug: (message: string, fields?: Fields) => write('DEBUG', message, fields),
  info: (message: string, fields?: Fields) => write('INFO', message, fields),
  warn: (message: string, fields?: Fields) => write('WARNING', message, fields),
  error: (message: string, fields?: Fields) => write('ERROR', message, fields),
};
