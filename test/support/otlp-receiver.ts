import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A tiny OTLP/HTTP JSON receiver (POST /v1/traces, /v1/metrics, /v1/logs) that keeps what it gets
 * in memory, flattened for assertions. Services point OTEL_EXPORTER_OTLP_ENDPOINT at `url` with
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json. Run it alone to watch a dev stack's traces:
 *   npx tsx test/support/otlp-receiver.ts [port]   (prints one line per span)
 */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  status: 'unset' | 'ok' | 'error';
  startMs: number;
}

export interface MetricPoint {
  service: string;
  name: string;
  attributes: Record<string, unknown>;
  /** Sum or gauge value; for a histogram, its count. */
  value: number;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  metrics: MetricPoint[];
  /** Requests it could not read (wrong content type, bad JSON): a test should expect none. */
  rejected: string[];
  trace(traceId: string): ReceivedSpan[];
  close(): Promise<void>;
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUSES = ['unset', 'ok', 'error'] as const;

type AnyValue = Record<string, any>;
type KeyValue = { key: string; value: AnyValue };

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  if ('kvlistValue' in v) return attributes(v.kvlistValue.values);
  return undefined;
}

const attributes = (list: KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

/** OTLP/JSON ids are hex; accept base64 too (some encoders use the protobuf JSON mapping). */
const id = (raw: string | undefined): string | undefined =>
  !raw ? undefined : /^[0-9a-f]+$/i.test(raw) ? raw.toLowerCase() : Buffer.from(raw, 'base64').toString('hex');

function readSpans(body: any): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs: any) => {
    const service = String(attributes(rs.resource?.attributes)['service.name'] ?? 'unknown');
    return (rs.scopeSpans ?? []).flatMap((ss: any) =>
      (ss.spans ?? []).map((s: any): ReceivedSpan => ({
        service,
        traceId: id(s.traceId)!,
        spanId: id(s.spanId)!,
        parentSpanId: id(s.parentSpanId) || undefined,
        name: s.name,
        kind: KINDS[s.kind ?? 0] ?? 'unspecified',
        attributes: attributes(s.attributes),
        links: (s.links ?? []).map((l: any) => ({ traceId: id(l.traceId)!, spanId: id(l.spanId)! })),
        status: STATUSES[s.status?.code ?? 0] ?? 'unset',
        startMs: Number(BigInt(s.startTimeUnixNano ?? 0) / 1_000_000n),
      })),
    );
  });
}

function readMetrics(body: any): MetricPoint[] {
  return (body.resourceMetrics ?? []).flatMap((rm: any) => {
    const service = String(attributes(rm.resource?.attributes)['service.name'] ?? 'unknown');
    return (rm.scopeMetrics ?? []).flatMap((sm: any) =>
      (sm.metrics ?? []).flatMap((m: any) => {
        const data = m.sum ?? m.gauge ?? m.histogram;
        return (data?.dataPoints ?? []).map((p: any) => ({
          service,
          name: m.name,
          attributes: attributes(p.attributes),
          value: Number(m.histogram ? p.count : (p.asInt ?? p.asDouble ?? 0)),
        }));
      }),
    );
  });
}

export async function startOtlpReceiver(port = 0, onSpans?: (spans: ReceivedSpan[]) => void): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: MetricPoint[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      try {
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        if (!String(req.headers['content-type']).startsWith('application/json'))
          throw new Error(`content-type ${req.headers['content-type']}`);
        const body = JSON.parse(raw.toString('utf8'));
        if (req.url === '/v1/traces') {
          const received = readSpans(body);
          spans.push(...received);
          onSpans?.(received);
        } else if (req.url === '/v1/metrics') metrics.push(...readMetrics(body));
        else if (req.url !== '/v1/logs') throw new Error(`unknown path ${req.url}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        rejected.push(`${req.url}: ${(error as Error).message}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    metrics,
    rejected,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? 4318);
  void startOtlpReceiver(port, (received) => {
    for (const s of received) {
      const parent = s.parentSpanId ?? '-'.repeat(16);
      process.stdout.write(`${s.traceId} ${parent} → ${s.spanId} ${s.service.padEnd(14)} ${s.kind.padEnd(8)} ${s.name}\n`);
    }
  }).then((r) => process.stdout.write(`OTLP/HTTP JSON receiver on ${r.url}\n`));
}
