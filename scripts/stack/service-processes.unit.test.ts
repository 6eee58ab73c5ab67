import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forkServiceProcess, whenServing } from './service-processes';

const dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-processes-'));
// a stand-in for the compiled serve script: says it serves, then waits to be stopped
const script = path.join(dir, 'serve.js');
writeFileSync(script, 'process.send({ serving: process.argv.slice(2) }); setInterval(() => {}, 1000);\n');
const started: ChildProcess[] = [];
afterAll(() => {
  started.forEach((child) => child.kill('SIGKILL'));
  rmSync(dir, { recursive: true, force: true });
});

async function niceOf(services: Parameters<typeof forkServiceProcess>[0]): Promise<number> {
  const ports = Object.fromEntries(services.map((s, i) => [s, 4000 + i]));
  const child = forkServiceProcess(services, { script, ports, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  started.push(child);
  expect(await whenServing(child, services.join('+'))).toEqual({ serving: services.map((s) => `${s}=${ports[s]}`) });
  const nice = os.getPriority(child.pid);
  // on Linux every thread of the process has the value (a nice value is per thread there), not only the main one
  if (existsSync(`/proc/${child.pid}/task`)) {
    const threads = readdirSync(`/proc/${child.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const thread of threads) expect(os.getPriority(Number(thread))).toBe(nice);
  }
  return nice;
}

describe('the priority of a local service process', () => {
  it('runs notifications, mail and push 10 levels below the storefront', async () => {
    const base = os.getPriority();
    expect(await niceOf(['notifications', 'email', 'push'])).toBe(Math.min(base + 10, 19));
    expect(await niceOf(['email'])).toBe(Math.min(base + 10, 19));
  });

  it('runs payments, shipments and the messaging jobs 5 levels below the storefront', async () => {
    const base = os.getPriority();
    expect(await niceOf(['payments', 'shipments', 'messaging'])).toBe(Math.min(base + 5, 19));
    expect(await niceOf(['shipments', 'email'])).toBe(Math.min(base + 5, 19));
  });

  it('keeps the storefront, the order up to confirmed, and any process that serves part of it, at its own priority', async () => {
    const base = os.getPriority();
    expect(await niceOf(['products', 'customers', 'cart', 'inventory', 'orders'])).toBe(base);
    expect(await niceOf(['orders', 'payments', 'email'])).toBe(base);
  });
});
