import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Refuses a second dev stack: a lock file naming the running stack's PID, and a check that
 * every port the stack needs is free, both before anything is started.
 */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export function acquireLock(lockFile: string): () => void {
  if (existsSync(lockFile)) {
    const { pid } = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number };
    if (alive(pid))
      throw new Error(`a ShopFlow dev stack is already running (pid ${pid}); stop it first (Ctrl-C in its terminal)`);
  }
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }));
  return () => rmSync(lockFile, { force: true });
}

/** Whether nothing listens on the port (127.0.0.1). */
export const portFree = (port: number): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });

export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [what, port] of Object.entries(ports)) {
    if (!(await portFree(port))) busy.push(`${port} (${what})`);
  }
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}; is another stack running?`);
}
