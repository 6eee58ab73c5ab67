import { z } from 'zod';

/**
 * Every setting, defined once: name, type, default, validation. Parsed on first use
 * (cold start) and frozen; handlers never read process.env themselves.
 */
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
    DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
    GOOGLE_CLOUD_PROJECT: z.string().min(1).default('shopflow-local'),
    PUBSUB_EMULATOR_HOST: z.string().optional(),
    /** Set by Cloud Run / Cloud Functions gen2: tells us we run on Google Cloud. */
    K_SERVICE: z.string().optional(),
    AUTH_MODE: z.enum(['header', 'jwt']).default('header'),
    /** Header identity on Google Cloud only behind an authenticating gateway, and only when said so. */
    ALLOW_HEADER_AUTH_ON_GCP: flag,
    JWT_ISSUER: z.string().optional(),
    JWT_JWKS_URL: z.string().url().optional(),
    JWT_AUDIENCE: z.string().optional(),
    JWT_CUSTOMER_CLAIM: z.string().default('sub'),
    JWT_ADMIN_ROLE: z.string().default('admin'),
    HTTP_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Outbox rows younger than this are left to the in-process relay; the sweeper takes older ones. */
    OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
    OUTBOX_SWEEP_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
    /** Must exceed the subscriptions' message retention (7 days) so a redelivery is always recognised. */
    RETENTION_DAYS: z.coerce.number().min(8).default(8),
    /** Test-only failure injection: `crash-after-commit` kills the process between a commit and its publish. */
    SHOPFLOW_FAILPOINT: z.enum(['crash-after-commit']).optional(),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.AUTH_MODE === 'header' && c.K_SERVICE && !c.ALLOW_HEADER_AUTH_ON_GCP) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_MODE'],
        message:
          'header identity refuses to run on Google Cloud; set AUTH_MODE=jwt, or ALLOW_HEADER_AUTH_ON_GCP=true behind an authenticating gateway',
      });
    }
    if (c.AUTH_MODE === 'jwt' && (!c.JWT_ISSUER || !c.JWT_JWKS_URL)) {
      ctx.addIssue({ code: 'custom', path: ['JWT_ISSUER'], message: 'AUTH_MODE=jwt needs JWT_ISSUER and JWT_JWKS_URL' });
    }
  });

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

export function config(): Config {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`invalid configuration: ${problems}`);
    }
    cached = Object.freeze(parsed.data);
  }
  return cached;
}
