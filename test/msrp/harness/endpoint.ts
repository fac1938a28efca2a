// The far endpoint "B": a TCP or TLS listener that accepts the relay's outbound connection.
import net from 'node:net';
import tls from 'node:tls';
import type { Certs } from './certs.js';
import { MsrpConnection } from './connection.js';
import { withTimeout } from '../../support/wait.js';

export interface EndpointOptions {
  /** Serve TLS with these credentials; plain TCP when undefined. */
  readonly certs: Certs | undefined;
  readonly host?: string;
  readonly port?: number;
  /** Read at most this many bytes per second on accepted connections (slow consumer). */
  readonly readBytesPerSecond?: number;
  /**
   * Do nothing with an accepted connection for this long: no TLS handshake and no reads.
   * For TLS the relay's outbound connection therefore stays CONNECTING meanwhile.
   */
  readonly startDelayMs?: number;
}

export class Endpoint {
  readonly accepted: MsrpConnection[] = [];
  /** For TLS: whether each accepted connection resumed an earlier TLS session, in order of acceptance. */
  readonly resumed: boolean[] = [];
  readonly #sockets = new Set<net.Socket>();
  #waiting: ((conn: MsrpConnection) => void)[] = [];
  /** One context for all connections, as a real server has: session tickets are keyed by it. */
  readonly #secureContext: tls.SecureContext | undefined;
  readonly #server: net.Server;
  readonly #opts: EndpointOptions;

  private constructor(server: net.Server, opts: EndpointOptions) {
    this.#server = server;
    this.#opts = opts;
    this.#secureContext =
      opts.certs === undefined
        ? undefined
        : tls.createSecureContext({ cert: opts.certs.cert, key: opts.certs.key });
    server.on('connection', (socket: net.Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
      const delay = opts.startDelayMs ?? 0;
      if (delay > 0)
        setTimeout(() => {
          this.#start(socket);
        }, delay).unref();
      else this.#start(socket);
    });
  }

  static async listen(opts: EndpointOptions): Promise<Endpoint> {
    const server = net.createServer({ pauseOnConnect: true });
    const endpoint = new Endpoint(server, opts);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 }, resolve);
      }),
      5000,
      'the endpoint to listen',
    );
    return endpoint;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** This endpoint's MSRP URI: `<scheme>://127.0.0.1:<port>/<session>;tcp`. */
  uri(session = 'bsess'): string {
    const scheme = this.#opts.certs ? 'msrps' : 'msrp';
    return `${scheme}://${this.#opts.host ?? '127.0.0.1'}:${this.port}/${session};tcp`;
  }

  /** The next connection the relay makes (TLS handshake completed). */
  nextConnection(timeoutMs = 5000): Promise<MsrpConnection> {
    const ready = this.accepted.shift();
    if (ready) return Promise.resolve(ready);
    let deliver: ((conn: MsrpConnection) => void) | undefined;
    const next = new Promise<MsrpConnection>((resolve) => {
      deliver = resolve;
      this.#waiting.push(resolve);
    });
    return withTimeout(next, timeoutMs, 'the relay to connect to the endpoint').finally(() => {
      this.#waiting = this.#waiting.filter((w) => w !== deliver);
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  #start(socket: net.Socket): void {
    if (socket.destroyed) return;
    if (!this.#opts.certs) {
      this.#deliver(new MsrpConnection(socket));
      socket.resume();
      return;
    }
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: this.#secureContext });
    secure.on('error', () => undefined);
    secure.once('secure', () => {
      this.resumed.push(secure.isSessionReused());
      this.#deliver(new MsrpConnection(secure));
    });
    socket.resume();
  }

  #deliver(conn: MsrpConnection): void {
    if (this.#opts.readBytesPerSecond !== undefined) conn.limitReadRate(this.#opts.readBytesPerSecond);
    const waiter = this.#waiting.shift();
    if (waiter) waiter(conn);
    else this.accepted.push(conn);
  }
}
