/**
 * Open stream connections, keyed by (transport, remote host, remote port) and by id, so that a response or a
 * request to a registered client goes out on the connection the client opened (connection reuse, §18.2.2,
 * RFC 5626). One table is shared by the TCP and TLS transports; maxConnections bounds both together.
 */
import { normalizeHost } from '../grammar/host.js';
import type { StreamConnection } from './stream-connection.js';
import type { TransportProtocol } from './types.js';

export function connectionKey(protocol: TransportProtocol, host: string, port: number): string {
  return `${protocol}|${normalizeHost(host)}|${port}`;
}

export class ConnectionTable {
  readonly maxConnections: number;
  readonly #byKey = new Map<string, StreamConnection>();
  readonly #byId = new Map<string, StreamConnection>();
  #nextId = 1;

  constructor(maxConnections: number) {
    this.maxConnections = maxConnections;
  }

  get size(): number {
    return this.#byId.size;
  }

  get full(): boolean {
    return this.#byId.size >= this.maxConnections;
  }

  newId(protocol: TransportProtocol): string {
    return `${protocol}-${this.#nextId++}`;
  }

  add(connection: StreamConnection): void {
    this.#byId.set(connection.id, connection);
    // The newest connection from an address wins: it is the one the peer is using now.
    this.#byKey.set(
      connectionKey(connection.protocol, connection.remoteHost, connection.remotePort),
      connection,
    );
  }

  remove(connection: StreamConnection): void {
    if (this.#byId.get(connection.id) === connection) this.#byId.delete(connection.id);
    const key = connectionKey(connection.protocol, connection.remoteHost, connection.remotePort);
    if (this.#byKey.get(key) === connection) this.#byKey.delete(key);
  }

  byId(id: string): StreamConnection | undefined {
    const connection = this.#byId.get(id);
    return connection?.closed === false ? connection : undefined;
  }

  byAddress(protocol: TransportProtocol, host: string, port: number): StreamConnection | undefined {
    const connection = this.#byKey.get(connectionKey(protocol, host, port));
    return connection?.closed === false ? connection : undefined;
  }

  all(): StreamConnection[] {
    return [...this.#byId.values()];
  }
}
