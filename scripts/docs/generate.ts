import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { apiServices, loadApi } from './apis';
import { buildArchitecture } from './architecture';
import { buildAsyncApi } from './asyncapi';
import { buildOpenApi } from './openapi';

/**
 * `npm run docs:generate`: writes docs/openapi/<service>.yaml, docs/asyncapi.yaml and
 * docs/architecture.md from the code. `--check` writes nothing and fails when a committed
 * document differs from what the code generates (CI runs it through the documents test).
 */
export const root = path.resolve(__dirname, '../..');
// Loading an api module builds its app, which needs settings; the documents never connect anywhere.
process.env.DATABASE_URL ??= 'postgres://docs@127.0.0.1:1/not-connected';
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

const yaml = (doc: unknown) => stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });

/** Every generated document: path below the repo root → content (listed in .prettierignore: the format is ours). */
export async function documents(): Promise<Record<string, string>> {
  const raw: Record<string, string> = {};
  for (const service of apiServices) {
    const { contract } = loadApi(service);
    if (!contract) throw new Error(`functions/${service}/api.ts has no contract.ts: write one (see shared/http/contract.ts)`);
    raw[`docs/openapi/${service}.yaml`] = yaml(buildOpenApi(contract, version));
  }
  raw['docs/asyncapi.yaml'] = yaml(buildAsyncApi(version));
  raw['docs/architecture.md'] = buildArchitecture();
  return raw;
}

/** The documents on disk that differ from the generated ones (or should not exist). */
export async function staleDocuments(): Promise<string[]> {
  const wanted = await documents();
  const read = (file: string) => {
    try {
      return readFileSync(path.join(root, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const extra = readdirSync(path.join(root, 'docs/openapi'), { withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => `docs/openapi/${f.name}`)
    .filter((file) => !(file in wanted));
  return [...Object.keys(wanted).filter((file) => read(file) !== wanted[file]), ...extra];
}

async function main(): Promise<void> {
  if (process.argv.includes('--check')) {
    const stale = await staleDocuments();
    if (stale.length) {
      process.stderr.write(`stale documents (run npm run docs:generate): ${stale.join(', ')}\n`);
      process.exit(1);
    }
    process.stdout.write('documents are up to date\n');
    return;
  }
  mkdirSync(path.join(root, 'docs/openapi'), { recursive: true });
  for (const [file, text] of Object.entries(await documents())) {
    writeFileSync(path.join(root, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
