import type { Knex } from 'knex';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Email changes are verified: the new address gets a code (customer.email_verification_requested →
 * notifications → email), and only the code's owner can make it the customer's address. Until then
 * every mail keeps going to the old, verified address.
 */
const VERIFICATIONS = 'customers.email_verifications';
export const VERIFICATION_TTL_MS = 24 * 3600 * 1000;

const sha256 = (token: string) => createHash('sha256').update(token).digest();

export interface PendingEmail {
  email: string;
  token: string;
  expiresAt: Date;
}

/** Starts (or restarts) the verification of a new address; returns the code to mail. */
export async function startVerification(tx: Knex, customerId: string, email: string, now: Date): Promise<PendingEmail> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_MS);
  await tx(VERIFICATIONS)
    .insert({ customer_id: customerId, email, token_sha256: sha256(token), expires_at: expiresAt })
    .onConflict('customer_id')
    .merge();
  return { email, token, expiresAt };
}

export async function pendingEmail(knex: Knex, customerId: string): Promise<string | null> {
  const row = await knex(VERIFICATIONS).where({ customer_id: customerId }).where('expires_at', '>', knex.fn.now()).first('email');
  return row?.email ?? null;
}

/** The new address if the code matches the pending, unexpired change (which is then used up); otherwise undefined and nothing changes. */
export async function consumeVerification(tx: Knex, customerId: string, token: string, now: Date): Promise<string | undefined> {
  const row = await tx(VERIFICATIONS).where({ customer_id: customerId }).forUpdate().first();
  if (!row || row.expires_at <= now || !timingSafeEqual(sha256(token), row.token_sha256)) return undefined;
  await tx(VERIFICATIONS).where({ customer_id: customerId }).delete();
  return row.email;
}

export async function dropVerification(tx: Knex, customerId: string): Promise<void> {
  await tx(VERIFICATIONS).where({ customer_id: customerId }).delete();
}
