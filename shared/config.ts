import { z } from 'zod';
import { googleServerlessMarker } from './runtime/platform';

/**
 * Every setting, defined once: name, type, default, validation. Parsed on first use
 * (cold start) and frozen; handlers never read process.env themselves.
 */
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** The fault points of shared/failpoints.ts. */
export const failpointNames = [
  'crash-mid-transaction',
  'crash-after-commit',
  'crash-after-publish',
  'crash-before-ack',
  'slow-handler',
] as const;
export type Failpoint = (typeof failpointNames)[number];

const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .min(1, 'DATABASE_URL is required')
      .refine((url) => !/[?&]ssl(cert|key|rootcert)=/.test(url), 'pass the server CA in DATABASE_CA_CERT, not as a file')
      .refine(
        (url) => ['disable', 'require', 'verify-ca', 'verify-full'].includes(/[?&]sslmode=([^&]*)/.exec(url)?.[1] ?? 'disable'),
        'sslmode must be disable, require, verify-ca or verify-full (no-verify would accept any server)',
      ),
    /** PEM of the CA that signs the database server's certificate (Cloud SQL: the instance's server CA); needed by sslmode=verify-ca. */
    DATABASE_CA_CERT: z.string().includes('BEGIN CERTIFICATE').optional(),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * How long a consumer keeps retrying while the database cannot be reached (down, restarting)
     * before it answers 500. Waiting holds the push, so the broker keeps the rest of the backlog
     * queued instead of putting it on retry backoff (docs/RELIABILITY.md). Below the 30 s ack deadline.
     */
    CONSUMER_DB_WAIT_SECONDS: z.coerce.number().int().min(0).max(25).default(20),
    GOOGLE_CLOUD_PROJECT: z.string().min(1).default('shopflow-local'),
    PUBSUB_EMULATOR_HOST: z.string().optional(),
    /** Set by Cloud Run / Cloud Functions gen2: tells us we run on Google Cloud. */
    K_SERVICE: z.string().optional(),
    /** Derived, not a setting: the variable that shows a Google serverless runtime (shared/runtime/platform.ts). */
    GOOGLE_RUNTIME: z.string().optional(),
    AUTH_MODE: z.enum(['header', 'jwt']).default('header'),
    /** Header identity on Google Cloud only behind an authenticating gateway, and only when said so. */
    ALLOW_HEADER_AUTH_ON_GCP: flag,
    /** JWT mode: the token's `iss` and `aud` must equal these; its key must be in this JWKS (https). */
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_JWKS_URL: z.string().url().optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    /** The signature algorithms accepted, comma-separated; asymmetric only (Firebase / Identity Platform: RS256). */
    JWT_ALGORITHMS: z
      .string()
      .default('RS256')
      .transform((v) => v.split(',').map((a) => a.trim()))
      .pipe(z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1)),
    /** The claim holding the customer id (a UUID); Firebase: a custom claim such as `customer_id`. */
    JWT_CUSTOMER_CLAIM: z.string().min(1).default('sub'),
    /** A token is an admin's when this claim equals JWT_ADMIN_ROLE or is a list holding it (`true` matches a boolean claim). */
    JWT_ADMIN_CLAIM: z.string().min(1).default('roles'),
    JWT_ADMIN_ROLE: z.string().min(1).default('admin'),
    HTTP_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Body limit of the functions only Pub/Sub and the scheduler call: a push carries at most 10 MB of data, base64. */
    PUSH_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .default(14 * 1024 * 1024),
    /** How long a public `GET /` reuses the last health check (admins always get a fresh one). */
    HEALTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
    /** Outbox rows younger than this are left to the in-process relay; the sweeper takes older ones. */
    OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
    OUTBOX_SWEEP_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
    /** Must exceed the subscriptions' message retention (7 days) so a redelivery is always recognised. */
    RETENTION_DAYS: z.coerce.number().min(8).default(8),
    /** Test-only fault points (shared/failpoints.ts), comma-separated; refused on a Google runtime. */
    SHOPFLOW_FAILPOINT: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(failpointNames))),
    /** The probability that an enabled fault point fires each time it is reached. */
    SHOPFLOW_FAILPOINT_RATE: z.coerce.number().min(0).max(1).default(1),
    /** How long `slow-handler` holds a consumer's transaction (longer than the ack deadline: a parallel redelivery). */
    SHOPFLOW_FAILPOINT_DELAY_MS: z.coerce.number().int().min(0).default(35_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Outgoing mail (email service): smtp:// or smtps://, credentials in the URL; local default is the dev SMTP sink. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .default('smtp://127.0.0.1:1025'),
    SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(25_000).default(10_000),
    MAIL_FROM: z.string().min(3).default('ShopFlow <no-reply@shopflow.local>'),
    /** Domain of the Message-ID the email service gives each mail: <notification-id@MESSAGE_ID_DOMAIN>. */
    MESSAGE_ID_DOMAIN: z.string().min(1).default('shopflow'),
    /** Who receives the stock-shortfall alert on stock.rejected (notifications service). */
    STOCK_MANAGER_EMAIL: z.string().trim().toLowerCase().email().default('stock-manager@shopflow.local'),
    /** Local mode only: the dev SMTP sink's listing, shown by the email service at GET /mail. */
    MAIL_SINK_URL: z.string().url().optional(),
    /** Push delivery: `inbox` stores in the customer's inbox only (local); `fcm` is documented in functions/push/fcm.ts. */
    PUSH_PROVIDER: z.enum(['inbox', 'fcm']).default('inbox'),
    FCM_PROJECT_ID: z.string().optional(),
    /** Payment provider (payments service): its HTTP API, API key and webhook signing secret; local default is the sandbox. */
    PAYMENT_PROVIDER_URL: z.string().url().default('http://127.0.0.1:8040'),
    /** Secrets with no default: Secret Manager on Google Cloud, fresh per run from the local sandboxes (scripts/stack/sandboxes.ts). */
    PAYMENT_PROVIDER_API_KEY: z.string().min(8).optional(),
    PAYMENT_WEBHOOK_SECRET: z.string().min(16).optional(),
    /** A webhook whose signed timestamp is further than this from now is refused (replay protection). */
    PAYMENT_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
    /** A confirmed order with no payment outcome after this long is cancelled (`payment_timeout`). */
    PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(900),
    /** A charge whose webhook has not come after this long is looked up at the provider by the reconciler. */
    PAYMENT_WEBHOOK_GRACE_SECONDS: z.coerce.number().int().min(1).default(30),
    /** Carrier (shipments service): its HTTP API and API key; local default is the sandbox carrier. */
    CARRIER_URL: z.string().url().default('http://127.0.0.1:8041'),
    CARRIER_API_KEY: z.string().min(8).optional(),
    /** Outbound calls to a provider give up after this long (then the work is parked for the reconciler). */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
    /** Parked provider work is retried with exponential backoff up to this delay; after this many attempts it is surfaced. */
    PROVIDER_RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).default(300),
    PROVIDER_RETRY_SURFACE_AFTER: z.coerce.number().int().min(1).default(20),
    /** A cart still `processing` after this long gets its order-requested re-driven (same event_id), at most CART_REDRIVE_MAX times. */
    CART_REDRIVE_AFTER_SECONDS: z.coerce.number().int().min(1).default(120),
    CART_REDRIVE_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /** A duplicate re-publishes what its first delivery caused only when that is older than this (younger: the relay just sent it). */
    REDRIVE_MIN_AGE_MS: z.coerce.number().int().min(0).default(10_000),
    /** An order waiting for its payment or shipment this long has its order.created re-driven (same event_id), at most ORDER_REDRIVE_MAX times; a finished one is re-driven once. */
    ORDER_REDRIVE_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
    ORDER_REDRIVE_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /** A notification `pending` this long has its channel request re-driven (same event_id), at most NOTIFICATION_REDRIVE_MAX times, then it is failed. */
    NOTIFICATION_REDRIVE_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
    NOTIFICATION_REDRIVE_MAX: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * An event a consumer of its topic has neither processed nor dead-lettered this long after its publish is published
     * again (same event_id), at most UNDELIVERED_REDRIVE_MAX times, unless that consumer is still working through older
     * events (queued, not lost: shared/messaging/progress.ts). Before that rule it was 600 s, to spare backlogs.
     */
    UNDELIVERED_REDRIVE_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
    UNDELIVERED_REDRIVE_MAX: z.coerce.number().int().min(1).max(100).default(5),
  })
  .superRefine((c, ctx) => {
    if (/[?&]sslmode=verify-ca/.test(c.DATABASE_URL) && !c.DATABASE_CA_CERT) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_CA_CERT'],
        message: 'sslmode=verify-ca needs the server CA in DATABASE_CA_CERT',
      });
    }
    if (c.AUTH_MODE === 'header' && c.GOOGLE_RUNTIME && !c.ALLOW_HEADER_AUTH_ON_GCP) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_MODE'],
        message: `header identity refuses to run on Google Cloud (${c.GOOGLE_RUNTIME} is set); set AUTH_MODE=jwt, or ALLOW_HEADER_AUTH_ON_GCP=true behind an authenticating gateway`,
      });
    }
    if (c.SHOPFLOW_FAILPOINT.length > 0 && c.GOOGLE_RUNTIME) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOPFLOW_FAILPOINT'],
        message: `fault points are for tests only and refuse to run on Google Cloud (${c.GOOGLE_RUNTIME} is set)`,
      });
    }
    if (c.MAIL_SINK_URL && c.GOOGLE_RUNTIME) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_SINK_URL'],
        message: 'the local mail viewer is not available on Google Cloud',
      });
    }
    if (c.PUSH_PROVIDER === 'fcm') {
      ctx.addIssue({
        code: 'custom',
        path: ['PUSH_PROVIDER'],
        message: 'the fcm adapter needs device-token registration, which is not built yet (see functions/push/fcm.ts)',
      });
    }
    if (c.AUTH_MODE === 'jwt' && (!c.JWT_ISSUER || !c.JWT_AUDIENCE || !c.JWT_JWKS_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ISSUER'],
        message: 'AUTH_MODE=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL',
      });
    }
    if (c.JWT_JWKS_URL && !/^https:|^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(c.JWT_JWKS_URL)) {
      ctx.addIssue({ code: 'custom', path: ['JWT_JWKS_URL'], message: 'the JWKS must be fetched over https' });
    }
  });

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

/** Parses settings from an environment; throws one error naming every problem. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse({ ...env, GOOGLE_RUNTIME: googleServerlessMarker(env) });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return Object.freeze(parsed.data);
}

export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** A secret only some functions need: read where it is used, and its absence named clearly there. */
export function requiredSecret(name: 'PAYMENT_PROVIDER_API_KEY' | 'PAYMENT_WEBHOOK_SECRET' | 'CARRIER_API_KEY'): string {
  const value = config()[name];
  if (!value) throw new Error(`${name} is not set: the service that uses it cannot run without it`);
  return value;
}
