import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Client } from 'pg';
import { connectionOptions } from './db';

/**
 * Issue 10.9: with TLS on, the database server is verified. A stand-in server answers PostgreSQL's
 * SSLRequest and completes TLS with a certificate like Cloud SQL's: signed by the instance's CA and
 * naming the instance (`project:instance`), not the IP. Certificates are made by openssl per run.
 */
let dir: string;
let server: net.Server;
let port: number;
let ourCa: string;
let otherCa: string;
const handshakes: boolean[] = [];

const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'shopflow-tls-'));
  makeCa('instance-ca');
  makeCa('other-ca');
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=shop-project:shop-db',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'instance-ca.pem',
    '-CAkey',
    'instance-ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'server.pem',
  );
  ourCa = readFileSync(path.join(dir, 'instance-ca.pem'), 'utf8');
  otherCa = readFileSync(path.join(dir, 'other-ca.pem'), 'utf8');
  const context = { key: readFileSync(path.join(dir, 'server.key')), cert: readFileSync(path.join(dir, 'server.pem')) };
  server = net.createServer((socket) => {
    socket.once('data', () => {
      // the SSLRequest: say yes, then speak TLS; a finished handshake is all this server checks
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, ...context });
      secure.once('secure', () => {
        handshakes.push(true);
        secure.destroy();
      });
      secure.on('error', () => undefined);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(sslmode: string, ca?: string): Promise<string> {
  handshakes.length = 0;
  const client = new Client(connectionOptions(`postgres://shop:secret@127.0.0.1:${port}/shop?sslmode=${sslmode}`, ca));
  client.on('error', () => undefined);
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

test('verify-ca with the instance CA completes TLS with a server whose certificate names the instance, not the IP', async () => {
  await connect('verify-ca', ourCa);
  expect(handshakes).toEqual([true]);
});

test('verify-ca refuses a server whose certificate another CA signed', async () => {
  expect(await connect('verify-ca', otherCa)).toMatch(/CERT|certificate|UNABLE_TO_VERIFY/i);
  expect(handshakes).toEqual([]);
});

test('verify-full also checks the name, so it refuses the instance certificate at an IP', async () => {
  expect(await connect('verify-full', ourCa)).toMatch(/ALTNAME|CERT/i);
  expect(handshakes).toEqual([]);
});

test('require verifies too: without the CA the server is refused', async () => {
  expect(await connect('require')).toMatch(/CERT|certificate|UNABLE_TO_VERIFY/i);
  expect(handshakes).toEqual([]);
});
