import express from 'express';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { apiServices } from './apis';
import { root } from './generate';

/**
 * `npm run docs:serve`: the committed documents as web pages, all assets local (no CDN):
 * `/` an index, `/api/<service>` each OpenAPI document in Swagger UI (from swagger-ui-dist),
 * `/events` the AsyncAPI document rendered here, one section per topic.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const swaggerUiDir = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const escape = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string, head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>${head}
<style>body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 1rem}nav{padding:.8rem 0;border-bottom:1px solid #ddd}
nav a{margin-right:1rem}pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}section{border-top:1px solid #ddd;margin-top:1.5rem}</style>
</head><body><nav><a href="/">ShopFlow docs</a>${apiServices.map((s) => `<a href="/api/${s}">${s}</a>`).join('')}<a href="/events">events</a></nav>
${body}</body></html>`;

function indexPage(): string {
  const apis = apiServices.map((s) => `<li><a href="/api/${s}">${s}</a> (<a href="/openapi/${s}.yaml">OpenAPI</a>)</li>`);
  return page(
    'ShopFlow docs',
    `<h1>ShopFlow</h1><h2>HTTP APIs</h2><ul>${apis.join('')}</ul>
<h2>Events</h2><p><a href="/events">Every topic</a> (<a href="/asyncapi.yaml">AsyncAPI</a>). The diagrams are in docs/architecture.md.</p>`,
  );
}

function apiPage(service: string): string {
  return page(
    `ShopFlow ${service} API`,
    `<div id="swagger-ui"></div><script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi/${service}.yaml', dom_id: '#swagger-ui', deepLinking: true });</script>`,
    '<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">',
  );
}

/** A JSON schema's type in a few words: `string (uuid)`, `array of object`, `"a" | "b"`. */
function typeOf(schema: Json): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  const type = ([] as string[]).concat(schema.type ?? 'any').join(' | ');
  if (type === 'array') return `array of ${typeOf(schema.items ?? {})}`;
  return schema.format ? `${type} (${schema.format})` : type;
}

/** An object schema as a table of its fields; the whole schema below it, folded. */
function fields(schema: Json): string {
  const required = new Set<string>(schema.required ?? []);
  const rows = Object.entries((schema.properties ?? {}) as Json).map(
    ([name, field]) =>
      `<tr><td><code>${escape(name)}</code></td><td>${escape(typeOf(field))}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${escape(field.description ?? '')}</td></tr>`,
  );
  const table = rows.length
    ? `<table><tr><th>field</th><th>type</th><th>required</th><th></th></tr>${rows.join('')}</table>`
    : '<p>any JSON</p>';
  return `${table}<details><summary>JSON schema</summary><pre>${escape(JSON.stringify(schema, null, 2))}</pre></details>`;
}

function eventsPage(): string {
  const doc = parseYaml(readFileSync(path.join(root, 'docs/asyncapi.yaml'), 'utf8')) as Json;
  const operations = Object.entries(doc.operations as Json);
  const sections = Object.entries(doc.channels as Json).map(([id, channel]) => {
    const message = doc.components.messages[Object.keys(channel.messages)[0]] as Json;
    const receivers = operations.filter(([, op]) => op.action === 'receive' && op.channel.$ref === `#/channels/${id}`);
    const rows = receivers.map(([name, op]) => {
      const sub = op['x-subscription'] as Json;
      const dlq = sub.deadLetterPolicy
        ? `${sub.deadLetterPolicy.deadLetterTopic} after ${sub.deadLetterPolicy.maxDeliveryAttempts}`
        : '—';
      return `<tr><td>${escape(name)}</td><td>${escape(op.title)}</td><td>${escape(sub.retryPolicy.minimumBackoff)}–${escape(sub.retryPolicy.maximumBackoff)}, ack ${escape(sub.ackDeadlineSeconds)}s</td><td>${escape(dlq)}</td></tr>`;
    });
    return `<section id="${escape(id)}"><h2 data-topic="${escape(channel.address)}">${escape(channel.address)}</h2>
<p>${escape(channel.description)}</p>
<table><tr><th>subscription</th><th>consumer</th><th>retry</th><th>dead letter</th></tr>${rows.join('') || '<tr><td colspan="4">none</td></tr>'}</table>
${message.headers ? `<h3>Attributes (envelope)</h3>${fields(message.headers)}` : ''}
<h3>Payload</h3>${fields(message.payload)}</section>`;
  });
  const toc = Object.values(doc.channels as Json).map((c) => `<li><a href="#${escape(c.address)}">${escape(c.address)}</a></li>`);
  return page(
    'ShopFlow events',
    `<h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1><pre>${escape(doc.info.description)}</pre><ul>${toc.join('')}</ul>${sections.join('\n')}`,
  );
}

export function docsApp(): express.Express {
  const app = express();
  app.get('/', (_req, res) => void res.type('html').send(indexPage()));
  app.use('/vendor/swagger-ui', express.static(swaggerUiDir, { index: false }));
  app.use('/openapi', express.static(path.join(root, 'docs/openapi'), { setHeaders: (res) => res.type('text/yaml') }));
  app.get('/asyncapi.yaml', (_req, res) => res.type('text/yaml').sendFile(path.join(root, 'docs/asyncapi.yaml')));
  app.get('/api/:service', (req, res) => {
    if (!apiServices.includes(req.params.service as never)) return void res.status(404).type('text').send('no such API');
    res.type('html').send(apiPage(req.params.service));
  });
  app.get('/events', (_req, res) => void res.type('html').send(eventsPage()));
  return app;
}

export function startDocsServer(port: number): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = docsApp().listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({ url, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (require.main === module) {
  void startDocsServer(Number(process.env.SHOPFLOW_DOCS_PORT ?? 3090)).then(({ url }) =>
    process.stdout.write(`docs: ${url} (APIs under /api/<service>, events under /events)\n`),
  );
}
