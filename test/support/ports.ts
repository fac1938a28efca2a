/**
 * Port numbers on 127.0.0.1, for what must be told one before it starts: real peers (sipp, Kamailio,
 * baresip), `missive serve` (UDP and TCP on the same number) and "nothing listens here" checks. Code that
 * runs in the test process binds port 0 and reports what it got instead, which cannot race. A port is handed
 * out only when both TCP and UDP were free at that moment; another process could take it before the peer
 * binds it, which is why peers are started right after allocation (and fail loudly when they cannot bind).
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

function listenTcp(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(undefined);
    });
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      resolve(server);
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, LOOPBACK, () => {
      socket.close(() => {
        resolve(true);
      });
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

/** A port number free on both TCP and UDP of 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = await listenTcp(0);
    if (server === undefined) continue;
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const ok = port !== 0 && (await udpFree(port));
    await close(server);
    if (ok) return port;
  }
  throw new Error('no free TCP+UDP port on 127.0.0.1 after 50 attempts');
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Whether something holds `port` on 127.0.0.1 for `transport` (a peer that has bound its socket). */
export async function portInUse(port: number, transport: 'udp' | 'tcp'): Promise<boolean> {
  if (transport === 'udp') return !(await udpFree(port));
  const server = await listenTcp(port);
  if (server === undefined) return true;
  await close(server);
  return false;
}
