import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { freePort } from '../../test/support/global-setup';

/**
 * Issue 10.1 / 10.9: a request body is refused before the Functions Framework buffers or inflates it,
 * both where Cloud Functions runs us (the framework's own CLI, NODE_ENV=production) and in the local
 * host (scripts/serve.ts); the framework's parse errors are the API's JSON, never HTML.
 */
const root = path.resolve(__dirname, '../..');
const frameworkMain = path.join(path.dirname(require.resolve('@google-cloud/functions-framework')), 'main.js');
const LIMIT = 64 * 1024;

const runners: Record<string, (port: number) => { script: string; args: string[]; env: Record<string, string> }> = {
  'the Functions Framework CLI (as deployed)': (port) => ({
    script: frameworkMain,
    args: ['--target=products-api', `--source=${path.join(root, 'functions/products/index.ts')}`, `--port=${port}`],
    // listening on every interface: on a CI machine that is a Compute Engine VM header mode needs the gateway flag
    env: { NODE_ENV: 'production', ALLOW_HEADER_AUTH_ON_GCP: 'true' },
  }),
  'the local host (npm run dev)': (port) => ({
    script: path.join(root, 'scripts/serve.ts'),
    args: ['products'],
    env: { PORT: String(port) },
  }),
};

const peakRssMb = (child: ChildProcess) =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;

async function waitUntilUp(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url, { method: 'OPTIONS' }).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

describe.each(Object.keys(runners))('request bodies through %s', (runner) => {
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    const { script, args, env } = runners[runner](port);
    child = fork(script, args, {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        // the database is never reached: every request here is refused or answered before it
        DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
        HTTP_BODY_LIMIT_BYTES: String(LIMIT),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    url = `http://127.0.0.1:${port}`;
    await waitUntilUp(url);
  }, 90_000);
  afterAll(() => {
    child.kill('SIGKILL');
  });

  const post = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
    fetch(`${url}/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  test('a gzip bomb is refused with 415 and the process does not grow', async () => {
    const inflated = Buffer.alloc(256 * 1024 * 1024, 'a');
    inflated.write('{"sku":"', 0);
    const bomb = gzipSync(inflated, { level: 9 });
    const before = peakRssMb(child);

    const res = await post(bomb, { 'content-encoding': 'gzip' });

    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect(peakRssMb(child) - before).toBeLessThan(40);
  });

  test('a body whose Content-Length exceeds the API limit is refused with 413', async () => {
    const res = await post(JSON.stringify({ sku: 'x'.repeat(LIMIT) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  test('a chunked body is cut off at the API limit with 413 and the process does not grow', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const stream = new Readable({
      read() {
        sent += chunk.length;
        this.push(sent > 128 * 1024 * 1024 ? null : chunk);
      },
    });
    const before = peakRssMb(child);

    const res = await post(Readable.toWeb(stream) as ReadableStream); // no length: sent chunked

    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    expect(peakRssMb(child) - before).toBeLessThan(40);
    stream.destroy();
  });

  test('malformed JSON is a JSON 400, not an HTML page', async () => {
    const res = await post('{"sku":');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  test('a form-encoded body is a 415 before anything parses it', async () => {
    const res = await post('sku=A&name=B', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  test('a JSON body within the limit still reaches the API (validated there)', async () => {
    const res = await post(JSON.stringify({ sku: 'NEW-1', price: -1 }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_input' } });
  });
});
