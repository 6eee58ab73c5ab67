import { parseMail } from './smtp-sink';

describe('SMTP sink message parsing', () => {
  test('reads unfolded headers, encoded words and a quoted-printable body', () => {
    const raw = [
      'From: ShopFlow <no-reply@shopflow.local>',
      'To: jane@example.com',
      'Subject: =?UTF-8?Q?Caf=C3=A9_order?=',
      'Message-ID: <abc@shopflow>',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '2 =C3=97 PEN at 0.10 =3D 0.20 and a long line that was wrapped by the =',
      'encoder',
      '',
    ].join('\r\n');
    expect(parseMail(raw)).toEqual({
      from: 'ShopFlow <no-reply@shopflow.local>',
      to: 'jane@example.com',
      subject: 'Café order',
      message_id: '<abc@shopflow>',
      text: '2 × PEN at 0.10 = 0.20 and a long line that was wrapped by the encoder',
    });
  });

  test('reads a base64 body and a 7bit body', () => {
    const b64 = `Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from('héllo').toString('base64')}\r\n`;
    expect(parseMail(b64).text).toBe('héllo');
    expect(parseMail('Subject: hi\r\n\r\nplain text\r\n')).toMatchObject({ subject: 'hi', text: 'plain text' });
  });
});
