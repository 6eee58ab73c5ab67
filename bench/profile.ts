import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceNames, type ServiceName } from '../shared/topology';
import { startInfra, startServices } from './stack';

/**
 * Where a service spends its CPU under HTTP load: starts the bench infrastructure and every service
 * (the one named with `--cpu-prof`), loads `GET <path>` for the given seconds, 16 in flight, then
 * prints the top self-time functions and where the .cpuprofile is (open it in Chrome DevTools).
 *   npx tsx bench/profile.ts products /products [seconds]
 *   PROFILE_BODY='{"product_sku":"PROFILE-1","quantity":1}' npx tsx bench/profile.ts cart /cart/items   (a POST, each
 *   request as one of 200 customers in turn)
 *   npx tsx bench/profile.ts --summary <file.cpuprofile>   (e.g. one written under BENCH_CPU_PROF, see stack.ts)
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--summary') return summarize(process.argv[3]);
  const [service, target = '/', seconds = '8'] = process.argv.slice(2) as [ServiceName, string?, string?];
  const dir = path.resolve('dist/profiles', `${service}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const infra = await startInfra();
  const others = await startServices({
    script: 'scripts/serve.ts',
    services: serviceNames.filter((s) => s !== service),
    project: 'bench',
  });
  const profiled = await startServices({
    script: 'scripts/serve.ts',
    services: [service],
    project: 'bench',
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  try {
    const products = service === 'products' ? profiled.url('products') : others.url('products');
    for (let i = 0; i < 20; i++) {
      const product = { sku: `PROFILE-${i}`, name: `Profile ${i}`, price: 9.99 };
      await fetch(`${products}/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(product),
      });
    }
    const body = process.env.PROFILE_BODY;
    const customers = Array.from({ length: 200 }, (_, i) => `550e8400-e29b-41d4-a716-${String(446655440000 + i)}`);
    const end = Date.now() + Number(seconds) * 1000;
    let requests = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < end) {
          const headers = { 'x-customer-id': customers[requests % customers.length], 'content-type': 'application/json' };
          const res = await fetch(profiled.url(service) + target, body ? { method: 'POST', headers, body } : { headers });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${target} answered ${res.status}`);
          requests++;
        }
      }),
    );
    process.stdout.write(`${requests} requests in ${seconds} s\n`);
  } finally {
    await profiled.stop();
    await others.stop();
    await infra.stop();
  }
  summarize(path.join(dir, readdirSync(dir)[0]));
}

/** Self time by package and the top functions of a .cpuprofile. */
function summarize(file: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*node_modules\//, '')}:${node.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.includes('/work/') ? 'shopflow' : url ? 'node' : node.callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (node.hitCount ?? 0));
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  process.stdout.write(`self time by package:\n${top(byPackage, 15)}\n\ntop functions:\n${top(self, 30)}\n\nprofile: ${file}\n`);
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
