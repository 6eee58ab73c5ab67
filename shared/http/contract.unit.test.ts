import { z } from 'zod';
import { checkAnswer, defineContract, errorStatuses } from './contract';

const contract = defineContract({
  service: 'products',
  description: 'test',
  routes: [
    {
      method: 'get',
      path: '/things/:id',
      summary: 'one thing',
      access: 'anyone',
      params: z.object({ id: z.string() }),
      ok: { status: 200, description: 'the thing', schema: z.object({ id: z.string(), n: z.number() }) },
    },
    {
      method: 'post',
      path: '/things',
      summary: 'make',
      access: 'admin',
      body: z.object({}),
      ok: { status: 201, description: 'made' },
    },
  ],
});

describe('checking an answer against the contract', () => {
  test('a documented answer with a matching body passes (query string ignored)', () => {
    expect(checkAnswer(contract, 'GET', '/things/a?x=1', 200, { id: 'a', n: 1 })).toEqual([]);
  });

  test('a body that does not match the documented schema fails, naming the field', () => {
    const problems = checkAnswer(contract, 'GET', '/things/a', 200, { id: 'a', n: 'one' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/GET \/things\/a → 200: body does not match.*n/s);
  });

  test('an error status the route cannot give is undocumented; a documented one must have the error shape', () => {
    expect(checkAnswer(contract, 'GET', '/things/a', 409, { error: { code: 'c', message: 'm' } })).toEqual([
      'GET /things/a → 409: status 409 is not documented',
    ]);
    expect(checkAnswer(contract, 'GET', '/things/a', 404, { error: { code: 'not_found', message: 'm' } })).toEqual([]);
    expect(checkAnswer(contract, 'GET', '/things/a', 404, { message: 'nope' })).toHaveLength(1);
  });

  test('a success from a route nobody documented fails', () => {
    expect(checkAnswer(contract, 'GET', '/other', 200, {})).toEqual(['GET /other → 200: no documented route answers this']);
  });

  test('a write by an admin route may give 400, 401, 403, 413 and 415', () => {
    expect(errorStatuses(contract.routes[1])).toEqual([400, 401, 403, 413, 415]);
  });
});
