import { jsonLine, prettyLine, type LogRecord } from './log-format';

const processed: LogRecord = {
  severity: 'INFO',
  message: 'event processed',
  time: '2026-12-01T14:09:30.941Z',
  consumer: 'cart-on-order-created',
  event_id: 'd612eb78-8028-4bce-af25-21fe4be777c1',
  event_type: 'order.created',
  outcome: 'processed',
  duration_ms: 12,
  'logging.googleapis.com/trace': 'projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
  'logging.googleapis.com/spanId': '00f067aa0ba902b7',
};

describe('a readable log line', () => {
  it('shows time, severity, who, message, event type, outcome and duration, with ids shortened', () => {
    const line = prettyLine(processed, false);
    expect(line).toBe(
      '14:09:30.941  INFO   cart-on-order-created  event processed  order.created  processed  12ms  event_id=d612eb78  trace=4bf92f35',
    );
  });

  it('puts an error on the lines below, in red on a colour terminal', () => {
    const error = new Error('connection refused');
    const line = prettyLine({ severity: 'ERROR', message: 'request failed', time: processed.time, error }, true);
    expect(line).toContain('\x1b[31;1mrequest failed\x1b[0m');
    expect(line.split('\n')[1]).toContain('Error: connection refused');
    expect(line.split('\n')[2]).toMatch(/^\s+at /);
  });

  it('cuts long values and prints objects as JSON', () => {
    const line = prettyLine(
      { severity: 'WARNING', message: 'm', time: processed.time, detail: 'x'.repeat(200), n: { a: 1 } },
      false,
    );
    expect(line).toContain(`detail=${'x'.repeat(79)}…`);
    expect(line).toContain('n={"a":1}');
  });
});

describe('a JSON log line', () => {
  it('keeps every field, Cloud Logging trace fields included, and spells errors out', () => {
    const parsed = JSON.parse(jsonLine({ ...processed, error: new Error('boom') })) as Record<string, unknown>;
    expect(parsed['logging.googleapis.com/trace']).toBe(processed['logging.googleapis.com/trace']);
    expect(parsed.error).toMatchObject({ name: 'Error', message: 'boom' });
  });
});
