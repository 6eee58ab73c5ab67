import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { conflict } from '../errors';
import { inTransaction, type UnitOfWork } from '../messaging/outbox';
import { parse } from './api';

/**
 * Idempotency-Key for writes. The first request under a key runs, and its answer is stored in
 * the same transaction as its effects and outbox rows; a retry, also a concurrent one (it waits
 * on the key's primary key), gets that answer back and emits nothing; the key reused for a
 * different request is a 409. A request that fails stores nothing, so its retry runs afresh.
 */
export interface Answer {
  status: number;
  body: unknown;
}

export const IDEMPOTENCY_KEYS = 'api.idempotency_keys';
const keyHeader = z.string().trim().min(1).max(200).optional();

/** The request's Idempotency-Key header, validated (400 when malformed), or undefined. */
export const idempotencyKey = (req: Request): string | undefined => parse(keyHeader, req.get('idempotency-key'));

export async function idempotent(
  service: string,
  target: { scope: string; key: string | undefined; request: unknown },
  run: (uow: UnitOfWork) => Promise<Answer>,
): Promise<Answer & { replayed: boolean }> {
  const { scope, key } = target;
  return inTransaction(service, async (uow) => {
    if (key === undefined) return { ...(await run(uow)), replayed: false };
    const requestHash = createHash('sha256').update(JSON.stringify(target.request)).digest('hex');
    const claimed = await uow
      .tx(IDEMPOTENCY_KEYS)
      .insert({ scope, key, request_hash: requestHash })
      .onConflict(['scope', 'key'])
      .ignore()
      .returning('key');
    if (claimed.length > 0) {
      const answer = await run(uow);
      await uow
        .tx(IDEMPOTENCY_KEYS)
        .where({ scope, key })
        .update({ status: answer.status, body: JSON.stringify(answer.body) });
      return { ...answer, replayed: false };
    }
    const stored = await uow.tx(IDEMPOTENCY_KEYS).where({ scope, key }).first();
    if (stored.request_hash !== requestHash)
      throw conflict('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    return { status: stored.status, body: stored.body, replayed: true };
  });
}

/** Sends an answer; a replayed one says so in `Idempotent-Replayed: true`. */
export function sendAnswer(res: Response, answer: Answer & { replayed: boolean }): void {
  if (answer.replayed) res.set('idempotent-replayed', 'true');
  res.status(answer.status).json(answer.body);
}
