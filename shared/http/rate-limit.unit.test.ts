import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors';
import { rateLimit } from './rate-limit';

/** Drives the middleware with a fake clock; returns the error it passed on (if any) and the Retry-After it set. */
function harness(limit: number, windowMs: number, maxKeys?: number) {
  let now = 0;
  const middleware = rateLimit({ name: 'writes', limit, windowMs, key: (req) => req.get('k'), now: () => now, maxKeys });
  const call = (key: string | undefined) => {
    let retryAfter: string | undefined;
    let passed: unknown = 'not called';
    const req = { get: () => key } as unknown as Request;
    const res = { set: (_: string, v: string) => (retryAfter = v) } as unknown as Response;
    middleware(req, res, ((err?: unknown) => (passed = err)) as NextFunction);
    return { error: passed as AppError | undefined, retryAfter };
  };
  return { call, advance: (ms: number) => (now += ms) };
}

describe('per-key rate limit', () => {
  test('allows a burst of `limit` requests, then answers 429 with the seconds until the next one is allowed', () => {
    const { call } = harness(3, 60_000);
    expect([call('a'), call('a'), call('a')].map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    const limited = call('a');
    expect(limited.error).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited.retryAfter).toBe('20');
  });

  test('refills over time, and each key counts alone', () => {
    const { call, advance } = harness(2, 1_000);
    call('a');
    call('a');
    expect(call('a').error?.status).toBe(429);
    expect(call('b').error).toBeUndefined();
    advance(500);
    expect(call('a').error).toBeUndefined();
    expect(call('a').error?.status).toBe(429);
  });

  test('a request without a key is not counted', () => {
    const { call } = harness(1, 60_000);
    expect([call(undefined), call(undefined)].map((r) => r.error)).toEqual([undefined, undefined]);
  });

  test('past the bucket bound (many made-up keys), the recent keys are still limited', () => {
    const { call } = harness(1, 60_000, 100);
    for (let i = 0; i < 1_000; i++) call(`k${i}`);
    expect(call('k999').error?.status).toBe(429);
  });
});
