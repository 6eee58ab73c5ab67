import { permanentRejection } from './smtp';

const error = (fields: { responseCode?: number; command?: string; response?: string }) => ({ message: 'failed', ...fields });

describe('SMTP failure classification', () => {
  test.each([
    [
      'a refused recipient (550 on RCPT TO)',
      error({ responseCode: 550, command: 'RCPT TO', response: '550 no such user' }),
      'recipient rejected: 550 no such user',
    ],
    [
      'a refused message (554 on DATA)',
      error({ responseCode: 554, command: 'DATA', response: '554 spam' }),
      'message rejected: 554 spam',
    ],
  ])('%s is permanent', (_case, err, reason) => {
    expect(permanentRejection(err)).toBe(reason);
  });

  test.each([
    ['a connection refused (no SMTP reply)', error({})],
    ['a greylisting 451 on RCPT TO', error({ responseCode: 451, command: 'RCPT TO' })],
    ['a 503 bad sequence', error({ responseCode: 503, command: 'RCPT TO' })],
    ['a 5xx on MAIL FROM (our sender set-up)', error({ responseCode: 550, command: 'MAIL FROM' })],
    ['a 535 authentication failure', error({ responseCode: 535, command: 'AUTH PLAIN' })],
  ])('%s is transient (retried, then dead-lettered)', (_case, err) => {
    expect(permanentRejection(err)).toBeUndefined();
  });
});
