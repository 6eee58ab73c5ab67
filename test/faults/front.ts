import net from 'node:net';

/**
 * The fault suite's stand-in for the platform's front end (Cloud Functions / Cloud Run): pushes and API calls reach a
 * service through it. A request that arrives while the service's process restarts after a crash waits for it, up to
 * `holdMs`, as a request waits for a new instance in production; without it, the broker saw every push of the
 * restart's second refused and put it on retry backoff (docs/RELIABILITY.md). A crash still cuts the requests in
 * flight, as an instance's crash does. A service `down` (a bad deploy) answers 503 at once.
 */
export interface Front {
  port: number;
  down: boolean;
  close(): Promise<void>;
}

const RETRY_MS = 100;
const UNAVAILABLE = 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

export async function openFront(backendPort: number, holdMs = 20_000): Promise<Front> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => undefined);
  };
  const front: Front = { port: 0, down: false, close: async () => undefined };

  const connect = (client: net.Socket, deadline: number) => {
    if (client.destroyed) return;
    if (front.down) {
      client.end(UNAVAILABLE);
      return;
    }
    const backend = net.connect(backendPort, '127.0.0.1');
    let connected = false;
    backend.on('error', () => {
      if (connected) client.destroy();
      else if (Date.now() < deadline) setTimeout(() => connect(client, deadline), RETRY_MS);
      else client.destroy();
    });
    backend.once('connect', () => {
      connected = true;
      track(backend);
      backend.on('close', () => client.destroy());
      client.on('close', () => backend.destroy());
      client.pipe(backend).pipe(client);
    });
  };
  const server = net.createServer((client) => {
    track(client);
    connect(client, Date.now() + holdMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.port = (server.address() as net.AddressInfo).port;
  front.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return front;
}
