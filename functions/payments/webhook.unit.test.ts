import { createHmac } from 'node:crypto';
import { verifySignature } from './webhook';

const secret = 'whsec_unit_test_secret';
const body = Buffer.from('{"id":"evt_1"}');
const now = 1_800_000_000;
const sign = (t: number, payload = body, key = secret) =>
  `t=${t},v1=${createHmac('sha256', key).update(`${t}.`).update(payload).digest('hex')}`;

describe('webhook signature', () => {
  test('the provider signature over the raw body is accepted', () => {
    expect(verifySignature(body, sign(now), secret, now, 300)).toBeUndefined();
  });

  test.each([
    ['missing', undefined],
    ['malformed', 'v1=abc'],
    ['malformed', `t=${now},v1=${'z'.repeat(64)}`],
    ['stale', sign(now - 301)],
    ['stale', sign(now + 301)],
    ['mismatch', sign(now, Buffer.from('{"id":"evt_2"}'))],
    ['mismatch', sign(now, body, 'another secret')],
  ])('is refused as %s', (problem, header) => {
    expect(verifySignature(body, header, secret, now, 300)).toBe(problem);
  });
});
