import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/**
 * The local SMTP sink: a real SMTP server on loopback that accepts every mail and keeps it in
 * memory (the newest MAX_KEPT), plus an optional HTTP listing (`GET /` → `{data:[...]}`, newest
 * first) that the email service shows at `GET /mail` in local mode. Nothing leaves the machine.
 * Recipients at REJECTED_DOMAIN are refused with a permanent 550, so the failure path can be seen.
 * `stop()` and `start()` close and reopen the same port, keeping what was received.
 */
export const REJECTED_DOMAIN = 'reject.test';
const MAX_KEPT = 500;

export interface ReceivedMail {
  id: number;
  received_at: string;
  envelope_from: string | null;
  envelope_to: string[];
  message_id: string | null;
  from: string | null;
  to: string | null;
  subject: string | null;
  text: string;
}

export interface SmtpSink {
  url: string;
  port: number;
  /** The HTTP listing's URL, when it was asked for. */
  listUrl?: string;
  received: ReceivedMail[];
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { port?: number; listPort?: number; host?: string } = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const received: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  let port = options.port;

  const listenOn = async (candidate: number) => {
    const smtp = createServer(received);
    await new Promise<void>((resolve, reject) => {
      smtp.once('error', reject); // smtp-server re-emits its listener's errors
      smtp.listen(candidate, host, () => resolve());
    });
    server = smtp;
    return (smtp.server.address() as AddressInfo).port;
  };
  const start = async () => {
    if (server) return;
    if (port !== undefined) {
      await listenOn(port);
      return;
    }
    // No port given: a random one below the ephemeral range. A port from the ephemeral range could,
    // while the sink is stopped, become the local end of a client's connection attempt to it (a TCP
    // self-connect), and the sink could not start again on it.
    for (let attempt = 0; port === undefined; attempt++) {
      try {
        port = await listenOn(20_000 + Math.floor(Math.random() * 12_000));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw error;
      }
    }
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    for (const connection of current.connections) connection.close();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await start();

  const list = options.listPort === undefined ? undefined : await listen(received, options.listPort, host);
  return {
    url: `smtp://${host}:${port!}`,
    port: port!,
    listUrl: list && `http://${host}:${(list.address() as AddressInfo).port}/`,
    received,
    start,
    stop,
    close: async () => {
      await stop();
      if (list) await new Promise((resolve) => list.close(resolve));
    },
  };
}

function createServer(received: ReceivedMail[]): SMTPServer {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (address.address.toLowerCase().endsWith(`@${REJECTED_DOMAIN}`)) {
        callback(Object.assign(new Error(`<${address.address}>: mailbox unavailable`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'));
        received.push({
          id: (received.at(-1)?.id ?? 0) + 1,
          received_at: new Date().toISOString(),
          envelope_from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          envelope_to: session.envelope.rcptTo.map((r) => r.address),
          ...mail,
        });
        if (received.length > MAX_KEPT) received.splice(0, received.length - MAX_KEPT);
        callback();
      });
    },
  });
  // A client's broken connection is reported as an 'error' event; without a listener it would end the process.
  smtp.on('error', () => undefined);
  return smtp;
}

function listen(received: ReceivedMail[], port: number, host: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [...received].reverse() }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Just enough MIME for a single-part text mail: unfolded headers, encoded words, QP or base64 bodies. */
export function parseMail(raw: string): Pick<ReceivedMail, 'message_id' | 'from' | 'to' | 'subject' | 'text'> {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return {
    message_id: headers.get('message-id') ?? null,
    from: headers.get('from') ?? null,
    to: headers.get('to') ?? null,
    subject: headers.get('subject') ?? null,
    text: text.replace(/\r\n/g, '\n').replace(/\n$/, ''),
  };
}

function decodeQuotedPrintable(body: string): string {
  const bytes: number[] = [];
  const soft = body.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const decodeWords = (value: string) =>
  value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
