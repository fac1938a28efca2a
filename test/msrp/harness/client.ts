// Opens a raw MSRP client connection (TCP or TLS) to 127.0.0.1.
import net from 'node:net';
import tls from 'node:tls';
import { MsrpConnection } from './connection.js';
import { withTimeout } from '../../support/wait.js';

export interface ClientOptions {
  readonly port: number;
  readonly tls: boolean;
  readonly host?: string;
  /** Source address, e.g. 127.0.0.2 for the "challenge from another IP" test. */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

export async function connectClient(opts: ClientOptions): Promise<MsrpConnection> {
  const host = opts.host ?? '127.0.0.1';
  const local = opts.localAddress === undefined ? {} : { localAddress: opts.localAddress };
  const socket = opts.tls
    ? tls.connect({ host, port: opts.port, servername: 'localhost', rejectUnauthorized: false, ...local })
    : net.connect({ host, port: opts.port, ...local });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      resolve();
    });
    socket.once('error', reject);
  });
  try {
    await withTimeout(ready, opts.timeoutMs ?? 5000, `connection to ${host}:${opts.port}`);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return new MsrpConnection(socket);
}
