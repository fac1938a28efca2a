/** Loopback sockets for the generator: plain TCP or TLS, Nagle off, bounded connect time. */
import { connect as tcpConnect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  connect as tlsConnect,
  createServer as createTlsServer,
  type SecureContext,
} from 'node:tls';

export type Transport = 'tcp' | 'tls';

export const LOOPBACK = '127.0.0.1';

export interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** MSRP URI scheme for a transport. */
export function schemeOf(transport: Transport): 'msrp' | 'msrps' {
  return transport === 'tls' ? 'msrps' : 'msrp';
}

/** One client context for every connection: building one per connection costs milliseconds. */
let clientContext: SecureContext | undefined;

export function connectTo(port: number, transport: Transport, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      transport === 'tls'
        ? tlsConnect({
            host: LOOPBACK,
            port,
            rejectUnauthorized: false,
            servername: 'localhost',
            secureContext: (clientContext ??= createSecureContext({})),
          })
        : tcpConnect({ host: LOOPBACK, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${port} timed out`));
    }, timeoutMs);
    const ready = transport === 'tls' ? 'secureConnect' : 'connect';
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export function listen(
  transport: Transport,
  tls: TlsMaterial | undefined,
  onSocket: (socket: Socket) => void,
): Promise<Server> {
  const server: Server =
    transport === 'tls'
      ? createTlsServer({ key: tls?.key, cert: tls?.cert }, onSocket)
      : createTcpServer({ noDelay: true }, onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, backlog: 4096 }, () => {
      resolve(server);
    });
  });
}

export function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  return address.port;
}

/** Resolves when something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    try {
      const socket = await connectTo(port, 'tcp', 1000);
      socket.destroy();
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `what timed out` after `ms`; the timer does not keep the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
