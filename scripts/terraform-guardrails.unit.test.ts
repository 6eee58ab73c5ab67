import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Guardrails over the terraform itself, parsed with HashiCorp's HCL parser (@cdktf/hcl2json): the
 * deployment rules that a plan cannot show offline. Each rule was proven once by breaking it
 * (docs/deploy.md lists how). GUARDRAIL_TERRAFORM_DIR points the suite at another copy.
 */
const root = path.resolve(__dirname, '..');
const dir = process.env.GUARDRAIL_TERRAFORM_DIR ?? path.join(root, 'terraform');

type Body = Record<string, unknown>;
interface Config {
  resource: Record<string, Record<string, Body[]>>;
  variable: Record<string, Body[]>;
  locals: Body[];
}
let tf: Config;
let tfvars: {
  services: { name: string }[];
  functions: { name: string; service: string; kind: string }[];
  subscriptions: { name: string; topic: string; dead_letter_topic: string | null }[];
  dead_letter_topic: string;
};

beforeAll(async () => {
  tf = { resource: {}, variable: {}, locals: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Partial<Config>;
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) Object.assign((tf.resource[type] ??= {}), byName);
    Object.assign(tf.variable, parsed.variable ?? {});
    tf.locals.push(...(parsed.locals ?? []));
  }
  tfvars = JSON.parse(readFileSync(path.join(dir, 'topology.auto.tfvars.json'), 'utf8'));
});

// --- reading the parsed HCL ------------------------------------------------------------------

const resources = (type: string): [string, Body][] =>
  Object.entries(tf.resource[type] ?? {}).map(([name, bodies]) => [name, bodies[0]]);
const resource = (type: string, name: string): Body => {
  const body = tf.resource[type]?.[name]?.[0];
  if (!body) throw new Error(`terraform has no ${type}.${name}`);
  return body;
};
const block = (body: Body | undefined, name: string): Body | undefined => (body?.[name] as Body[] | undefined)?.[0];
/** A nested block written either literally or as a `dynamic` block (its content). */
const blocks = (body: Body | undefined, name: string): Body[] => [
  ...((body?.[name] as Body[] | undefined) ?? []),
  ...((body?.dynamic as Record<string, Body[]> | undefined)?.[name] ?? []).map((d) => (d.content as Body[])[0]),
];
const local = (name: string): unknown => tf.locals.find((l) => name in l)?.[name];
const variableDefault = (name: string): unknown => tf.variable[name]?.[0]?.default;
/** A number, or `${var.x}` resolved to the variable's default. */
const numberOf = (value: unknown): number => {
  if (typeof value === 'number') return value;
  const ref = typeof value === 'string' ? /^\$\{var\.([a-z0-9_]+)\}$/.exec(value) : null;
  return ref ? Number(variableDefault(ref[1])) : NaN;
};
const text = (value: unknown): string => JSON.stringify(value ?? null);

// --- the rules -------------------------------------------------------------------------------

describe('terraform guardrails', () => {
  test('every push subscription has a retry policy and a dead-letter policy with 5-100 attempts (except the dead-letter topic’s own)', () => {
    const subscriptions = resources('google_pubsub_subscription');
    expect(subscriptions.length).toBeGreaterThan(0);

    for (const [name, sub] of subscriptions) {
      const retry = block(sub, 'retry_policy');
      const deadLetter = blocks(sub, 'dead_letter_policy');
      expect({
        name,
        minimum: !!retry?.minimum_backoff,
        maximum: !!retry?.maximum_backoff,
        deadLetter: deadLetter.length,
      }).toEqual({
        name,
        minimum: true,
        maximum: true,
        deadLetter: 1,
      });
      const attempts = numberOf(deadLetter[0].max_delivery_attempts);
      expect(attempts).toBeGreaterThanOrEqual(5);
      expect(attempts).toBeLessThanOrEqual(100);
      // A dynamic policy may only be left out for subscriptions the topology gives no dead-letter topic…
      const dynamic = ((sub.dynamic as Record<string, Body[]> | undefined)?.dead_letter_policy ?? [])[0];
      if (dynamic) expect(String(dynamic.for_each)).toMatch(/each\.value\.dead_letter_topic == null \? \[\]/);
    }
    // …and that is the dead-letter topic's own subscription only.
    const withoutPolicy = tfvars.subscriptions.filter((s) => s.dead_letter_topic === null);
    expect(withoutPolicy.map((s) => s.topic)).toEqual(withoutPolicy.map(() => tfvars.dead_letter_topic));
  });

  test('each push subscription’s ack deadline is at least its function’s timeout, and at most 600 s', () => {
    const scaling = variableDefault('function_scaling') as Record<string, { timeout_seconds: number }>;
    const timeouts = Object.values(scaling).map((s) => s.timeout_seconds);
    const fn = resource('google_cloudfunctions2_function', 'fn');
    const fnTimeout = block(fn, 'service_config')?.timeout_seconds;

    for (const [name, sub] of resources('google_pubsub_subscription')) {
      const ack = sub.ack_deadline_seconds;
      const sameAsFunction =
        ack === '${local.function_timeout[each.value.function]}' && fnTimeout === '${local.function_timeout[each.key]}';
      expect({ name, ack, atLeastTimeout: sameAsFunction || numberOf(ack) >= Math.max(...timeouts) }).toEqual({
        name,
        ack,
        atLeastTimeout: true,
      });
    }
    expect(String(local('function_timeout'))).toMatch(/timeout_seconds/);
    for (const timeout of timeouts) expect(timeout).toBeLessThanOrEqual(600); // Pub/Sub's ack deadline limit
  });

  test('no consumer, job or dead-letter function takes outside traffic (ALLOW_ALL), and only APIs may be public', () => {
    const fn = resource('google_cloudfunctions2_function', 'fn');
    expect(block(fn, 'service_config')?.ingress_settings).toBe('${local.function_ingress[each.key]}');
    expect(String(local('function_ingress'))).toMatch(/f\.kind == "api" \? var\.api_ingress : "ALLOW_INTERNAL_ONLY"/);
    expect(String(local('api_functions'))).toMatch(/if f\.kind == "api"/);

    const invokerTypes = Object.keys(tf.resource).filter((t) => /_(service|function)_iam_(member|binding)$/.test(t));
    for (const type of invokerTypes)
      for (const [name, grant] of resources(type)) {
        const members = text(grant.member ?? grant.members);
        const publicMember = /allUsers|allAuthenticatedUsers|var\.api_invokers|each\.value\.member/.test(members);
        const target = publicMember
          ? /local\.api_functions/.test(text(grant.for_each))
          : /google_service_account\.[a-z_]+\.member/.test(members);
        expect({ grant: `${type}.${name}`, members, target }).toEqual({ grant: `${type}.${name}`, members, target: true });
      }
  });

  test('every function runs as its own service’s account and builds as a dedicated one (never a default account)', () => {
    const fn = resource('google_cloudfunctions2_function', 'fn');

    expect(block(fn, 'service_config')?.service_account_email).toBe(
      '${google_service_account.runtime[each.value.service].email}',
    );
    expect(resource('google_service_account', 'runtime').for_each).toBe('${local.services}');
    expect(String(resource('google_service_account', 'runtime').account_id)).toMatch(/\$\{each\.key\}/);
    expect(String(block(fn, 'build_config')?.service_account)).toMatch(/^\$\{google_service_account\.[a-z_]+\.id\}$/);
  });

  test('every credential reaches the functions from Secret Manager, never as a plain environment variable', () => {
    // Credentials: the config keys that hold one (shared/config.ts).
    const configKeys = [...readFileSync(path.join(root, 'shared/config.ts'), 'utf8').matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map(
      (m) => m[1],
    );
    const credentials = configKeys.filter(
      (k) => /SECRET|API_KEY|PASSWORD|TOKEN|PRIVATE_KEY/.test(k) || ['DATABASE_URL', 'SMTP_URL'].includes(k),
    );
    expect(credentials).toEqual(expect.arrayContaining(['DATABASE_URL', 'SMTP_URL']));

    // Nothing plain may carry one: the env locals and the function's environment_variables.
    const fn = resource('google_cloudfunctions2_function', 'fn');
    const plain = [
      local('runtime_env'),
      local('auth_env'),
      local('service_env'),
      block(fn, 'service_config')?.environment_variables,
    ]
      .map(text)
      .join('\n');
    for (const key of credentials) expect({ key, plain: new RegExp(`\\b${key}\\b`).test(plain) }).toEqual({ key, plain: false });

    // Each service gets, as a secret, every credential its code reads (DATABASE_URL: all of them).
    const secrets = blocks(block(fn, 'service_config'), 'secret_environment_variables');
    expect(secrets.some((s) => s.key === 'DATABASE_URL' && /google_secret_manager_secret\./.test(String(s.secret)))).toBe(true);
    const serviceSecrets = String(local('service_secrets'));
    for (const { name: service } of tfvars.services) {
      const code = sourcesOf(path.join(root, 'functions', service));
      const given = new RegExp(`\\b${service}\\s*=\\s*tomap\\(\\{([^}]*)\\}\\)`).exec(serviceSecrets)?.[1] ?? '';
      for (const key of credentials.filter((k) => k !== 'DATABASE_URL' && new RegExp(`\\b${k}\\b`).test(code)))
        expect({
          service,
          key,
          fromSecretManager: new RegExp(`\\b${key}\\s*=\\s*var\\.[a-z_]+_secret_id\\b`).test(given),
        }).toEqual({
          service,
          key,
          fromSecretManager: true,
        });
    }
  });

  test('Cloud SQL has no authorised networks, accepts only encrypted connections, and the functions verify its certificate', () => {
    const instances = resources('google_sql_database_instance');
    expect(instances.length).toBeGreaterThan(0);

    for (const [name, instance] of instances) {
      const ip = block(block(instance, 'settings'), 'ip_configuration');
      expect({ name, authorizedNetworks: blocks(ip, 'authorized_networks').length }).toEqual({ name, authorizedNetworks: 0 });
      expect(['ENCRYPTED_ONLY', 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED']).toContain(ip?.ssl_mode);
    }
    // The functions' DATABASE_URL verifies the server: verify-ca against the instance's own CA, or verify-full.
    const url = String(resource('google_secret_manager_secret_version', 'database_url').secret_data);
    const mode = /[?&]sslmode=([a-z-]+)/.exec(url)?.[1];
    expect(['verify-ca', 'verify-full']).toContain(mode);
    if (mode === 'verify-ca')
      expect(String((local('runtime_env') as Body | undefined)?.DATABASE_CA_CERT)).toMatch(
        /google_sql_database_instance\.[a-z_]+\.server_ca_cert/,
      );
  });

  test('functions deploy on a runtime that is not decommissioned (nodejs22+), and the pipeline builds on the same Node major', () => {
    const runtime = block(resource('google_cloudfunctions2_function', 'fn'), 'build_config')?.runtime;
    const ref = /^\$\{var\.([a-z_]+)\}$/.exec(String(runtime));
    const value = String(ref ? variableDefault(ref[1]) : runtime);
    const major = Number(/^nodejs(\d+)$/.exec(value)?.[1]);

    expect({ runtime: value, supported: major >= 22 }).toEqual({ runtime: value, supported: true });
    if (ref) expect(tf.variable[ref[1]][0].validation).toBeDefined();
    const pipelineNode = /_NODE_VERSION:\s*'?(\d+)\./.exec(readFileSync(path.join(root, 'cloudbuild.yaml'), 'utf8'))?.[1];
    expect(Number(pipelineNode)).toBe(major);
  });

  test('each service’s account publishes only the topics the topology says it produces', () => {
    const grants = resources('google_pubsub_topic_iam_member').filter(
      ([, g]) => g.role === 'roles/pubsub.publisher' && /google_service_account\.runtime/.test(String(g.member)),
    );
    expect(grants.length).toBeGreaterThan(0);

    for (const [name, grant] of grants)
      expect({ name, for_each: grant.for_each }).toEqual({ name, for_each: '${local.topic_publishers}' });
    expect(String(local('topic_publishers'))).toMatch(/for p in var\.publishers/);
  });

  test('at full scale the functions’ connection pools fit the database tier’s max_connections, which is derived from them', () => {
    const scaling = variableDefault('function_scaling') as Record<string, { max_instances: number; db_pool: number }>;
    const pools = tfvars.functions.reduce((sum, f) => sum + scaling[f.kind].max_instances * scaling[f.kind].db_pool, 0);
    const maxConnections = pools + Number(variableDefault('db_reserved_connections'));
    const memoryMib = Number(/^db-custom-\d+-(\d+)$/.exec(String(variableDefault('db_tier')))?.[1]);
    const ceiling = Math.floor(memoryMib / Number(variableDefault('db_memory_per_connection_mib')));

    expect({ functions: tfvars.functions.length, maxConnections, fits: maxConnections <= ceiling }).toEqual({
      functions: tfvars.functions.length,
      maxConnections,
      fits: true,
    });
    const flags = blocks(block(resource('google_sql_database_instance', 'main'), 'settings'), 'database_flags');
    expect(flags.find((f) => f.name === 'max_connections')?.value).toBe('${tostring(local.db_max_connections)}');
  });

  test('header identity mode cannot be deployed with public ingress or a public invoker', () => {
    const conditions = (tf.variable.auth_mode?.[0]?.validation as Body[] | undefined)?.map((v) => String(v.condition)) ?? [];

    expect(
      conditions.some((c) => /var\.api_ingress != "ALLOW_ALL"/.test(c) && /allUsers/.test(c) && /allAuthenticatedUsers/.test(c)),
    ).toBe(true);
  });
});

/** The non-test TypeScript under a folder, concatenated (empty when there is none). */
function sourcesOf(folder: string): string {
  try {
    return readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => readFileSync(path.join(folder, f), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}
