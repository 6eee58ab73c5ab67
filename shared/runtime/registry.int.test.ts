import domain from 'node:domain';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { startSystem, type TestSystem } from '../../test/support/harness';
import { registerCloudEvent, registerHttp } from './registry';

/**
 * The Functions Framework creates a `domain` for each request; registry.ts hands it an inert one instead, so no real
 * domain (and none of its process-wide async hooks) ever exists, and a failure still answers 500.
 */
const realDomain = () => (process as { domain?: unknown }).domain instanceof domain.Domain;
const seen: Record<string, { now: boolean; afterAwait: boolean; promiseDomain: unknown }> = {};

async function probe(name: string, fail: boolean): Promise<void> {
  const pending = Promise.resolve();
  seen[name] = { now: realDomain(), afterAwait: true, promiseDomain: (pending as { domain?: unknown }).domain };
  await new Promise((resolve) => setTimeout(resolve, 1));
  seen[name].afterAwait = realDomain();
  if (fail) throw new Error('probe failed');
}

registerHttp({ name: 'domain-probe-job', service: 'messaging', kind: 'job' }, async (req, res) => {
  await probe('job', req.query.fail === '1');
  res.status(204).end();
});
let failConsumer = false;
registerCloudEvent({ name: 'domain-probe-consumer', service: 'messaging', kind: 'consumer' }, async () => {
  await probe('consumer', failConsumer);
});

async function serve(name: string): Promise<{ url: string; server: Server }> {
  const server = getTestServer(name) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('functions run in no real domain', () => {
  const servers: Server[] = [];
  let system: TestSystem;
  beforeAll(async () => {
    system = await startSystem([]); // the configuration the servers check on start-up
  });
  afterAll(async () => {
    servers.forEach((s) => (s.closeAllConnections(), s.close()));
    await system.stop();
  });

  test('an HTTP function: no real domain while it runs, and a failure still answers 500', async () => {
    const { url, server } = await serve('domain-probe-job');
    servers.push(server);
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(204);
    expect(seen.job).toEqual({ now: false, afterAwait: false, promiseDomain: undefined });
    expect((await fetch(`${url}/?fail=1`, { method: 'POST' })).status).toBe(500);
  });

  test('a CloudEvent function: no real domain while it runs, and a failure still answers 500', async () => {
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
    expect(seen.consumer).toEqual({ now: false, afterAwait: false, promiseDomain: undefined });
    failConsumer = true;
    const failed = await fetch(`${url}/projects/p/topics/t`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...push, message: { ...push.message, messageId: '2' } }),
    });
    expect(failed.status).toBe(500);
    expect(domain.create()).not.toBeInstanceOf(domain.Domain); // what the framework gets
  });
});
