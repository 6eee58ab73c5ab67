import { checkAnswer } from '../../shared/http/contract';
import type { ServiceName } from '../../shared/topology';
import { loadApi } from '../../scripts/docs/apis';
import type { HttpClient } from './harness';

/**
 * Wraps a test's HTTP client so that every answer is checked against the service's documented
 * contract (functions/<service>/contract.ts, the source of docs/openapi/): an undocumented status,
 * or a body that does not match its documented schema, fails the request.
 */
export function checkedClient(service: ServiceName, client: HttpClient): HttpClient {
  const { contract } = loadApi(service);
  if (!contract) return client;
  return async (method, path, options) => {
    const reply = await client(method, path, options);
    const problems = checkAnswer(contract, method, path, reply.status, reply.body);
    if (problems.length) throw new Error(`the ${service} API answered outside its contract:\n${problems.join('\n')}`);
    return reply;
  };
}
