/**
 * Port numbers on 127.0.0.1, for what must be told one before it starts: real peers (sipp, Kamailio,
 * baresip), `missive serve` (UDP and TCP on the same number) and "nothing listens here" checks. Code that
 * runs in the test process binds port 0 and reports what it got instead, which cannot race. A port is handed
 * out only when both TCP and UDP were free at that moment; another process could take it before the peer
 * binds it, which is why peers are started right after allocation (and fail loudly when they cannot bind).
 *
 * The numbers are drawn below the kernel's ephemeral range (ip_local_port_range, 32768–60999 on Linux): a
 * port from that range is what every outgoing connection and every `listen(0)` of the other tests running
 * beside this one is given, so a number handed out from it can be taken again by the kernel before the peer
 * binds it (CI saw `missive serve` fail with EADDRINUSE that way). Below it, only another explicit bind can
 * take it.
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

// Above the defaults a developer may have running (5060, 5061, 2855, the web port 10888).
const LOWEST = 11_000;
const BELOW_EPHEMERAL = 32_768;

/** A port number free on both TCP and UDP of 127.0.0.1 a moment ago, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (BELOW_EPHEMERAL - LOWEST));
    const server = await listenTcp(port);
    if (server === undefined) continue;
    const ok = await udpFree(port);
    await close(server);
    if (ok) return port;
  }
  throw new Error(
    `no free TCP+UDP port on 127.0.0.1 between ${LOWEST} and ${BELOW_EPHEMERAL} after 200 attempts`,
  );
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
