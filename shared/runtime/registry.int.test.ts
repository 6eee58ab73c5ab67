import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { startSystem, type TestSystem } from '../../test/support/harness';
import { registerCloudEvent, registerHttp } from './registry';

/**
 * The Functions Framework runs each request inside a `domain`. Our functions run outside it (registry.ts,
 * outsideDomain): what they create is not tagged with the domain, and a failure still answers 500.
 */
const activeDomain = () => (process as { domain?: unknown }).domain;
const seen: Record<string, { now: unknown; afterAwait: unknown; promiseDomain: unknown }> = {};

async function probe(name: string, fail: boolean): Promise<void> {
  const pending = Promise.resolve();
  seen[name] = { now: activeDomain(), afterAwait: undefined, promiseDomain: (pending as { domain?: unknown }).domain };
  await new Promise((resolve) => setTimeout(resolve, 1));
  seen[name].afterAwait = activeDomain();
  if (fail) throw new Error('probe failed');
}

registerHttp({ name: 'domain-probe-job', service: 'messaging', kind: 'job' }, async (req, res) => {
  await probe('job', req.query.fail === '1');
  res.status(204).end();
});
registerCloudEvent({ name: 'domain-probe-consumer', service: 'messaging', kind: 'consumer' }, async () => {
  await probe('consumer', false);
});

async function serve(name: string): Promise<{ url: string; server: Server }> {
  const server = getTestServer(name) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('functions run outside the framework domain', () => {
  const servers: Server[] = [];
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem([]); // the configuration the servers check on start-up
  });
  afterAll(async () => {
    servers.forEach((s) => (s.closeAllConnections(), s.close()));
    await system.stop();
  });

  test('an HTTP function: no domain while it runs, and a failure still answers 500', async () => {
    const { url, server } = await serve('domain-probe-job');
    servers.push(server);
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(204);
    expect(seen.job).toEqual({ now: undefined, afterAwait: undefined, promiseDomain: undefined });
    expect((await fetch(`${url}/?fail=1`, { method: 'POST' })).status).toBe(500);
  });

  test('a CloudEvent function: no domain while it runs', async () => {
    const { url, server } = await serve('domain-probe-consumer');
    servers.push(server);
    const push = {
      subscription: 'projects/p/subscriptions/s',
      message: { data: Buffer.from('{}').toString('base64'), messageId: '1', attributes: {} },
    };
    const response = await fetch(`${url}/projects/p/topics/t`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(push),
    });
    expect(response.status).toBe(204);
    expect(seen.consumer).toEqual({ now: undefined, afterAwait: undefined, promiseDomain: undefined });
  });
});
