import { config } from '../config';

/**
 * One outbound call to an external provider (payment provider, carrier): JSON over HTTPS with the
 * provider's API key and a stable Idempotency-Key, so that a retry can never act twice. What the
 * provider refuses (4xx) comes back as a reply; what may work later (network error, timeout, 429,
 * 5xx) throws ProviderUnavailable, and the caller parks the work for its reconciler.
 */
export class ProviderUnavailable extends Error {
  constructor(provider: string, detail: string) {
    super(`${provider} is unavailable: ${detail}`);
    this.name = 'ProviderUnavailable';
  }
}

export interface ProviderReply {
  status: number;
  body: Record<string, unknown>;
}

export async function callProvider(
  provider: { name: string; baseUrl: string; apiKey: string },
  request: { method: 'GET' | 'POST'; path: string; idempotencyKey?: string; body?: unknown },
): Promise<ProviderReply> {
  const headers: Record<string, string> = { authorization: `Bearer ${provider.apiKey}`, accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(new URL(request.path, provider.baseUrl), {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(config().PROVIDER_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderUnavailable(provider.name, error instanceof Error ? error.message : String(error));
  }
  const text = await res.text().catch(() => '');
  if (res.status === 429 || res.status >= 500) throw new ProviderUnavailable(provider.name, `HTTP ${res.status}`);
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new ProviderUnavailable(provider.name, `HTTP ${res.status} with a body that is not JSON`);
  }
  return { status: res.status, body };
}
