import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { pushSubscriptions, topicNames } from '../../shared/topology';
import { apiServices, loadApi } from './apis';
import { root, staleDocuments } from './generate';
import { openApiPath } from './openapi';
import { answeredRoutes } from './routes';

type Json = Record<string, any>;

const load = (file: string): Json => parseYaml(readFileSync(path.join(root, file), 'utf8'));
const openApi = (service: string) => load(`docs/openapi/${service}.yaml`);

describe('the committed documents', () => {
  test('are what the code generates (else: npm run docs:generate, and commit)', async () => {
    expect(await staleDocuments()).toEqual([]);
  });

  test.each(apiServices)('the %s OpenAPI document is valid OpenAPI 3.1', async (service) => {
    const result = await validate(openApi(service) as Parameters<typeof validate>[0]);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
  });

  test('the AsyncAPI document is valid AsyncAPI 3', async () => {
    const diagnostics = await new Parser().validate(readFileSync(path.join(root, 'docs/asyncapi.yaml'), 'utf8'));
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
  });

  test('every example matches the schema beside it', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s));
    ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
    const problems: string[] = [];
    let examples = 0;
    for (const service of apiServices) {
      const doc = openApi(service);
      const resolve = (schema: Json) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
      const visit = (node: unknown, where: string): void => {
        if (!node || typeof node !== 'object') return;
        const media = node as Json;
        if ('example' in media && media.schema) {
          examples++;
          if (!ajv.validate(resolve(media.schema), media.example)) problems.push(`${service} ${where}: ${ajv.errorsText()}`);
        }
        for (const [key, child] of Object.entries(media)) visit(child, `${where}/${key}`);
      };
      visit(doc, '');
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThan(apiServices.length * 2);
  });
});

describe('the documents list everything the code provides', () => {
  test.each(apiServices)('every route the %s app answers is documented, and nothing else', (service) => {
    const { app } = loadApi(service);
    const answered = answeredRoutes(app).map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`);
    const documented = Object.entries(openApi(service).paths as Json).flatMap(([p, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`),
    );
    expect(answered.length).toBeGreaterThan(1);
    expect([...documented].sort()).toEqual([...new Set(answered)].sort());
  });

  test('every topic the topology provisions is a channel, with a receive operation per push subscription', () => {
    const doc = load('docs/asyncapi.yaml');
    expect(
      Object.values(doc.channels as Json)
        .map((c) => c.address)
        .sort(),
    ).toEqual([...topicNames()].sort());
    for (const sub of pushSubscriptions()) {
      expect(doc.operations[sub.name]).toMatchObject({
        action: 'receive',
        channel: { $ref: `#/channels/${sub.topic}` },
        'x-subscription': {
          name: sub.name,
          deadLetterPolicy: sub.deadLetterTopic ? { deadLetterTopic: sub.deadLetterTopic } : null,
        },
      });
    }
  });
});
