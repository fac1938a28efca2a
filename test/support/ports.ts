/**
 * Port numbers on 127.0.0.1, for what must be told one before it starts: real peers (sipp, Kamailio,
 * baresip), `missive serve` (UDP and TCP on the same number) and "nothing listens here" checks. Code that
 * runs in the test process binds port 0 and reports what it got instead, which cannot race. A port is handed
 * out only when both TCP and UDP were free at that moment, and after this process has reserved it (below).
 *
 * Reserved: two suites side by side (CI's shared machine, `npm run test:soak`) draw from the same numbers, and
 * a peer binds its port seconds after the draw, so each could be handed the same free port. A reservation is
 * a symbolic link named by the port in one directory of the system's temporary directory, pointing at the
 * pid of the test process that took it: creating it is atomic (EEXIST when another process holds it), and
 * it stays until that process has ended, when the next process to draw the number takes it over. Nothing is
 * removed at exit: there are at most as many links as numbers, each kept in its inode.
 *
 * The numbers are drawn below the kernel's ephemeral range (ip_local_port_range, 32768–60999 on Linux): a
 * port from that range is what every outgoing connection and every `listen(0)` of the other tests running
 * beside this one is given, so a number handed out from it can be taken again by the kernel before the peer
 * binds it (CI saw `missive serve` fail with EADDRINUSE that way). Below it, only another explicit bind can
 * take it: Chromium's DNS client binds random ports anywhere, so the browser tests turn its resolving off
 * (test/browser/chat-browser.ts).
 */
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

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

/** Where the reservations are: one symbolic link per port, named by it, pointing at its holder's pid. */
export const PORT_RESERVATIONS = join(tmpdir(), 'missive-test-ports');

/**
 * Whether this process now holds `port`: it was free of reservations, or its holder has ended. (Two
 * processes taking over the same ended holder's number at the same instant is the one race left.)
 */
export function reservePort(port: number): boolean {
  const link = join(PORT_RESERVATIONS, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      symlinkSync(String(process.pid), link);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(PORT_RESERVATIONS, { recursive: true });
        continue;
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number;
    try {
      holder = Number(readlinkSync(link));
    } catch {
      continue; // Its holder's successor removed it meanwhile: try once more.
    }
    if (holder === process.pid) return false; // Handed out by this process already.
    if (processAlive(holder)) return false;
    try {
      unlinkSync(link);
    } catch {
      // Another process took the stale reservation over first; the next attempt says who holds it.
    }
  }
  return false;
}

// Above the defaults a developer may have running (5060, 5061, 2855, the web port 10888).
const LOWEST = 11_000;
const BELOW_EPHEMERAL = 32_768;

/**
 * A port number free on both TCP and UDP of 127.0.0.1 a moment ago, outside the ephemeral range, and reserved
 * for this process: no other test process is handed it while this one runs.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (BELOW_EPHEMERAL - LOWEST));
    if (!reservePort(port)) continue;
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

/** A socket table of /proc/net: `udp`, `udp6`, `tcp`, `tcp6`. */
type SocketTable = `${'udp' | 'tcp'}${'' | '6'}`;

/** The local ports of a socket table's rows, of every socket (UDP) or of listening ones (TCP). */
function tablePorts(table: SocketTable): Set<number> {
  let text: string;
  try {
    text = readFileSync(`/proc/net/${table}`, 'latin1');
  } catch {
    return new Set(); // No IPv6 on this machine.
  }
  const ports = new Set<number>();
  for (const row of text.split('\n').slice(1)) {
    // "sl local_address rem_address st …": an address is "<hex address>:<hex port>"; TCP state 0A is LISTEN.
    const [, local, , state] = row.trim().split(/\s+/);
    if (local === undefined || (table.startsWith('tcp') && state !== '0A')) continue;
    ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
  }
  return ports;
}

/**
 * Whether a peer has bound `port` (UDP) or listens on it (TCP), read from the kernel's socket tables: a
 * readiness check for a peer that was told its port. It must not bind the port to find out: the check would
 * hold it for a moment, and a peer binding it in that moment fails with EADDRINUSE (sipp's `errno 98` at
 * its start, in the soaks of sessions 9 to 12: docs/testing.md).
 */
export function portBound(port: number, transport: 'udp' | 'tcp'): boolean {
  return tablePorts(transport).has(port) || tablePorts(`${transport}6`).has(port);
}
