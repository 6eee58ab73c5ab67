import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors';

/**
 * Per-key rate limits for HTTP routes: a token bucket per key (usually the customer), `limit`
 * requests per `windowMs` with bursts up to `limit`. Past it the request is a 429 with
 * `Retry-After` (whole seconds until one request is allowed again) and nothing runs.
 *
 * The buckets live in the process: on Cloud Functions each instance counts alone, so this is a
 * per-instance limit. The production control is the gateway / Cloud Armor rule in front of the
 * public API functions (docs/decisions.md); this one keeps a single instance, and the laptop, fair.
 */
export interface RateLimit {
  /** Names the limit in the error message (e.g. `cart writes`). */
  name: string;
  limit: number;
  windowMs: number;
  /** The key to count under; undefined lets the request through uncounted (e.g. no identity: it is refused later). */
  key: (req: Request) => string | undefined;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
  /** Buckets kept at most (full ones are dropped first); bounds memory under many made-up keys. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function rateLimit(spec: RateLimit): RequestHandler {
  const now = spec.now ?? Date.now;
  const maxKeys = spec.maxKeys ?? 50_000;
  const perMs = spec.limit / spec.windowMs;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, t: number): void => {
    bucket.tokens = Math.min(spec.limit, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
  };

  const evict = (t: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, t);
      if (bucket.tokens >= spec.limit) buckets.delete(key);
    }
    // still full of busy keys: drop the oldest tenth (Map keeps insertion order), so this runs rarely
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys * 0.9) break;
      buckets.delete(key);
    }
  };

  return (req: Request, res: Response, next: NextFunction) => {
    const key = spec.key(req);
    if (key === undefined) return next();
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxKeys) evict(t);
      bucket = { tokens: spec.limit, at: t };
      buckets.set(key, bucket);
    }
    refill(bucket, t);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    res.set('retry-after', String(retryAfter));
    next(
      new AppError(429, 'rate_limited', `too many ${spec.name}; retry in ${retryAfter} s`, {
        limit: spec.limit,
        window_seconds: spec.windowMs / 1000,
      }),
    );
  };
}

/** Key: the calling customer (requests without a customer identity are not counted here). */
export const perCustomer = (req: Request): string | undefined =>
  req.caller?.role === 'customer' ? req.caller.customerId : undefined;
