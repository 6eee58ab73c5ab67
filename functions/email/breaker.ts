import CircuitBreaker from 'opossum';
import { log } from '../../shared/logger';
import { sendMail, type Mail, type SendOutcome } from './smtp';

/**
 * Sending through a circuit breaker (opossum): after a few failed sends in a row the SMTP server is
 * taken as down, and mail is parked at once for the `email-retry` job instead of each message waiting
 * for its own connection timeout; after RESET_MS one send is let through to probe it. The breaker is
 * per instance and only saves time and load: whether a mail was sent is decided by the database
 * (email.deliveries / email.parked), never by the breaker's memory.
 */
export type Attempt = SendOutcome | { outcome: 'unavailable'; error: string };

const RESET_MS = 10_000;
let breaker: CircuitBreaker<[Mail], SendOutcome> | undefined;

function smtpBreaker(): CircuitBreaker<[Mail], SendOutcome> {
  if (!breaker) {
    breaker = new CircuitBreaker(sendMail, {
      timeout: false, // nodemailer's own connection, greeting and socket timeouts apply (SMTP_TIMEOUT_MS)
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      resetTimeout: RESET_MS,
    });
    breaker.on('open', () => log.warn('SMTP circuit open: mail is parked until the server answers again'));
    breaker.on('close', () => log.info('SMTP circuit closed: the server answers again'));
  }
  return breaker;
}

/** One send: `sent` or `rejected` (the server's answer), or `unavailable` (no answer, or the circuit is open). */
export async function attemptMail(mail: Mail): Promise<Attempt> {
  try {
    return await smtpBreaker().fire(mail);
  } catch (error) {
    return { outcome: 'unavailable', error: error instanceof Error ? error.message : String(error) };
  }
}

/** True while the breaker holds sends back (a batch of parked mail stops early then). */
export const smtpCircuitOpen = (): boolean => breaker?.opened ?? false;
