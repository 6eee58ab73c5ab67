import { cleanHeader, cleanText, permanentRejection } from './smtp';

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

describe('escaping what goes into a mail', () => {
  test('a subject is one line: CR/LF (header injection) become a space, control and bidi characters go', () => {
    expect(cleanHeader('Order confirmed\r\nBcc: victim@example.com')).toBe('Order confirmed Bcc: victim@example.com');
    expect(cleanHeader('Hi\u0007 \u202Egnp.exe')).toBe('Hi gnp.exe');
  });

  test('a text keeps its lines and tabs (as spaces) and loses every other control character', () => {
    expect(cleanText('Hello Ada,\r\n\r\n\tTotal\u0000: 5\u001b[31m\u2028x')).toBe('Hello Ada,\n\n    Total: 5[31mx');
  });

  test('ordinary text in any script is unchanged', () => {
    const text = 'Hello José 李小龙 👩‍💻,\n\nTotal: €12.50 — thanks!';
    expect(cleanText(text)).toBe(text);
    expect(cleanHeader('Order confirmed: 550e8400 ✓')).toBe('Order confirmed: 550e8400 ✓');
  });
});
