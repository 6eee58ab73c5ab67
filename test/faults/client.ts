/**
 * The customers' and the admin's HTTP client for the fault suite: like a real client it retries
 * what may be transient (no answer, 5xx, 429) with backoff until a deadline, and it keeps an
 * Idempotency-Key across its retries when one is given. It never throws for an HTTP status.
 */
export interface Answer {
  status: number;
  body: any;
}

export interface CallOptions {
  customer?: string;
  body?: unknown;
  idempotencyKey?: string;
  /** Give up retrying after this long (the last answer, or status 0 for no answer, is returned). */
  patienceMs?: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function client(baseUrl: string, counters: { requests: number; retried: number }) {
  return async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const deadline = Date.now() + (options.patienceMs ?? 240_000);
    const headers: Record<string, string> = {};
    if (options.customer) headers['x-customer-id'] = options.customer;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      counters.requests++;
      let answer: Answer = { status: 0, body: undefined };
      try {
        const res = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        answer = { status: res.status, body: text ? safeJson(text) : undefined };
      } catch {
        // no answer: the service is down, restarting or stalled
      }
      const transient = answer.status === 0 || answer.status >= 500 || answer.status === 429;
      if (!transient || Date.now() > deadline) return answer;
      counters.retried++;
      await sleep(Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
