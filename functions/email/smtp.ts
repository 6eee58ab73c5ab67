import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import { config } from '../../shared/config';

/**
 * Sending over SMTP with nodemailer, configured by SMTP_URL (one transport per process, made on first use). The outcome of
 * one send is `sent` or `rejected` (the server refused this recipient or message for good); every
 * other failure is thrown, so Pub/Sub retries it.
 */
export interface Mail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

export type SendOutcome = { outcome: 'sent'; response: string } | { outcome: 'rejected'; reason: string };

let transport: Transporter | undefined;

function transporter(): Transporter {
  const c = config();
  transport ??= nodemailer.createTransport(
    {
      url: c.SMTP_URL,
      connectionTimeout: c.SMTP_TIMEOUT_MS,
      greetingTimeout: c.SMTP_TIMEOUT_MS,
      socketTimeout: c.SMTP_TIMEOUT_MS,
    },
    { from: c.MAIL_FROM },
  );
  return transport;
}

/** Health: the SMTP server answers and accepts our credentials. */
export async function smtpReachable(): Promise<void> {
  await transporter().verify();
}

export async function sendMail(mail: Mail): Promise<SendOutcome> {
  try {
    const info = await transporter().sendMail({ ...mail });
    if (info.rejected?.length) return { outcome: 'rejected', reason: `recipient rejected: ${info.response}` };
    return { outcome: 'sent', response: String(info.response) };
  } catch (error) {
    const reason = permanentRejection(error as NodemailerError);
    if (reason) return { outcome: 'rejected', reason };
    throw error;
  }
}

/** SMTP commands whose permanent (5xx) refusal is about this mail, not about our set-up. */
const MESSAGE_COMMANDS = /^(RCPT TO|DATA|message)/i;

/**
 * A permanent refusal of this recipient or this message (5xx, except 503, on RCPT TO or DATA) is
 * final: retrying cannot change it. Connection errors, timeouts and 4xx are transient; so is a 5xx
 * on MAIL FROM or AUTH, which is a configuration problem that should dead-letter for replay after
 * the fix rather than fail customers' notifications for good.
 */
export function permanentRejection(
  error: Pick<NodemailerError, 'responseCode' | 'command' | 'response' | 'message'>,
): string | undefined {
  const code = error.responseCode;
  if (code === undefined || code < 500 || code === 503) return undefined;
  if (!MESSAGE_COMMANDS.test(error.command ?? '')) return undefined;
  return `${error.command === 'DATA' ? 'message' : 'recipient'} rejected: ${error.response ?? error.message}`.slice(0, 2000);
}
