/**
 * B: the receiving endpoint. A listener the relay connects to; it answers every SEND with a hop-by-hop
 * 200 on the connection it came in on and reports each delivered chunk to the session it belongs to
 * (by the session id of To-Path, since Kamailio multiplexes every session on one connection to B).
 */
import type { Server, Socket } from 'node:net';
import { listen, LOOPBACK, portOf, schemeOf, type TlsMaterial, type Transport } from './net.js';
import { FrameReader, firstUri, header, okResponse, sessionIdOf } from './wire.js';

/** Called once per complete SEND chunk delivered to B. */
export type DeliveryListener = (bodyBytes: number, flag: string) => void;

export class EndpointB {
  readonly #listeners = new Map<string, DeliveryListener>();
  readonly #sockets = new Set<Socket>();
  #nextId = 0;
  /** Chunks for no registered session, and protocol errors: both must stay 0. */
  unknownSession = 0;
  errors = 0;
  readonly #server: Server;

  private constructor(
    server: Server,
    readonly transport: Transport,
  ) {
    this.#server = server;
  }

  static async start(transport: Transport, tls: TlsMaterial | undefined): Promise<EndpointB> {
    const holder: { endpoint?: EndpointB } = {};
    const server = await listen(transport, tls, (socket) => {
      if (holder.endpoint !== undefined) holder.endpoint.#accept(socket);
    });
    const endpoint = new EndpointB(server, transport);
    holder.endpoint = endpoint;
    return endpoint;
  }

  get port(): number {
    return portOf(this.#server);
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  /** Registers a new session; returns B's URI for it, to put last in A's To-Path. */
  register(listener: DeliveryListener): { uri: string; id: string } {
    const id = `b${(this.#nextId++).toString(36)}`;
    this.#listeners.set(id, listener);
    return { id, uri: `${schemeOf(this.transport)}://${LOOPBACK}:${this.port}/${id};tcp` };
  }

  unregister(id: string): void {
    this.#listeners.delete(id);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.#server.close(() => {
        resolve();
      }),
    );
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader((head, flag, bodyBytes) => {
      if (head.method !== 'SEND') return; // responses and REPORTs need nothing from B
      socket.write(okResponse(head), 'latin1');
      const to = header(head, 'To-Path');
      const listener = to === undefined ? undefined : this.#listeners.get(sessionIdOf(firstUri(to)));
      if (listener === undefined) this.unknownSession++;
      else listener(bodyBytes, flag);
    });
    socket.on('data', (chunk: Buffer) => {
      socket.cork(); // all 200s for one read leave in one write
      try {
        reader.push(chunk);
      } catch {
        this.errors++;
        socket.destroy();
      }
      socket.uncork();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
