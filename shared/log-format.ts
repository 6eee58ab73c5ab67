/**
 * How a log record becomes one line: JSON in the shape Cloud Logging reads (everywhere but a
 * terminal), or a short readable line for a person at a terminal (time, severity, who, message,
 * event type, outcome, duration, ids shortened; errors in red with their first stack frames).
 */
export type LogRecord = Record<string, unknown> & { severity: string; message: string; time: string };

export function jsonLine(record: LogRecord): string {
  return JSON.stringify(record, (_key, value: unknown) =>
    value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
  );
}

const COLOURS: Record<string, string> = { DEBUG: '\x1b[2m', INFO: '\x1b[36m', WARNING: '\x1b[33m', ERROR: '\x1b[31;1m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Fields shown in the line's fixed places (or not at all: the trace ids are long and for machines). */
const PLACED = new Set(['severity', 'message', 'time', 'service', 'consumer', 'event_type', 'outcome', 'duration_ms', 'error']);
const HIDDEN = /^logging\.googleapis\.com\//;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function prettyLine(record: LogRecord, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const who = String(record.consumer ?? record.service ?? '');
  const parts = [
    paint(DIM, record.time.slice(11, 23)),
    paint(COLOURS[record.severity] ?? '', record.severity.padEnd(5).slice(0, 5)),
    who && paint('\x1b[35m', who),
    record.severity === 'ERROR' ? paint(COLOURS.ERROR, record.message) : record.message,
    record.event_type !== undefined && String(record.event_type),
    record.outcome !== undefined && paint(record.outcome === 'processed' ? '\x1b[32m' : '\x1b[33m', String(record.outcome)),
    record.duration_ms !== undefined && `${String(record.duration_ms)}ms`,
    ...Object.entries(record)
      .filter(([key, value]) => !PLACED.has(key) && !HIDDEN.test(key) && value !== undefined)
      .map(([key, value]) => paint(DIM, `${key}=${short(value)}`)),
    traceId(record) && paint(DIM, `trace=${traceId(record)}`),
  ].filter((part): part is string => typeof part === 'string' && part !== '');
  const error = record.error === undefined ? '' : `\n${paint(COLOURS.ERROR, errorText(record.error))}`;
  return parts.join('  ') + error;
}

/** A UUID as its first 8 characters; other values as compact JSON, cut at 80 characters. */
function short(value: unknown): string {
  if (typeof value === 'string') return UUID.test(value) ? value.slice(0, 8) : cut(value);
  return cut(JSON.stringify(value) ?? String(value));
}

const cut = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

function traceId(record: LogRecord): string | undefined {
  const trace = record['logging.googleapis.com/trace'];
  return typeof trace === 'string' ? trace.split('/').pop()?.slice(0, 8) : undefined;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return `  ${short(error)}`;
  const frames = (error.stack ?? '').split('\n').slice(1, 4).join('\n');
  return `  ${error.name}: ${error.message}${frames ? `\n${frames}` : ''}`;
}
