/**
 * Open connections, keyed by (transport, remote host, remote port) and by id, so that a response or a
 * request to a registered client goes out on the connection the client opened (connection reuse, RFC 3261
 * §18.2.2, RFC 5626). One table is shared by the TCP, TLS and WebSocket transports. It bounds the connections
 * we open (maxOutbound); inbound ones are bounded where they are accepted (InboundConnections), so that the
 * two never take each other's room: a peer that makes us connect out cannot use up the slots of clients,
 * and a flood of clients cannot stop us from reaching a next hop.
 */
import { randomBytes } from 'node:crypto';
import { normalizeHost } from '../grammar/host.js';
import type { SendTarget, TransportProtocol } from './types.js';

/** What the table and the transports need of a connection, whatever carries it (stream or WebSocket). */
export interface Connection {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly closed: boolean;
  /** We opened it (a request or a response we had to deliver); else the peer did. */
  readonly outbound: boolean;
  /**
   * A TLS connection we opened: the name its certificate was checked against (the target's serverName, or
   * its host; RFC 5922), normalised. undefined for a connection the peer opened, and for TCP and WebSocket.
   */
  readonly serverName?: string | undefined;
  /** Sends one serialized message; rejects with a TransportError when the connection cannot take it. */
  write(bytes: Buffer): Promise<void>;
  /** Ends the connection cleanly. */
  close(): void;
  /** Closes at once. */
  destroy(): void;
}

export function connectionKey(protocol: TransportProtocol, host: string, port: number): string {
  return `${protocol}|${normalizeHost(host)}|${port}`;
}

/** The key of a TLS connection we opened to that address, checked for that server name. */
export function verifiedKey(
  protocol: TransportProtocol,
  host: string,
  port: number,
  serverName: string,
): string {
  return `${connectionKey(protocol, host, port)}|${serverName}`;
}

export class ConnectionTable {
  /** Connections we opened, open at once. */
  readonly maxOutbound: number;
  readonly #byKey = new Map<string, Connection>();
  readonly #byServerName = new Map<string, Connection>();
  readonly #byId = new Map<string, Connection>();
  readonly #closeListeners: ((connection: Connection) => void)[] = [];
  /**
   * Ids outlive the process: registrations store them (BindingSource.connectionId), and instances share a
   * store. A random token per table keeps one process's ids apart from another's, or an earlier run's, so
   * that a stored id does not name someone else's connection here.
   */
  readonly #idPrefix = randomBytes(4).toString('hex');
  #nextId = 1;
  #outbound = 0;

  constructor(maxOutbound: number) {
    this.maxOutbound = maxOutbound;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Open connections by transport, counted when asked (for metrics: no bookkeeping per connection). */
  countByProtocol(): Map<TransportProtocol, number> {
    const counts = new Map<TransportProtocol, number>();
    for (const connection of this.#byId.values())
      counts.set(connection.protocol, (counts.get(connection.protocol) ?? 0) + 1);
    return counts;
  }

  /** Connections we opened that are in the table. */
  get outboundCount(): number {
    return this.#outbound;
  }

  /** No room for another connection of ours. */
  get outboundFull(): boolean {
    return this.#outbound >= this.maxOutbound;
  }

  newId(protocol: TransportProtocol): string {
    // e.g. tcp-3f9a01c2-17: unique across processes, short enough for logs.
    return `${protocol}-${this.#idPrefix}-${this.#nextId++}`;
  }

  add(connection: Connection): void {
    if (this.#byId.has(connection.id)) return;
    this.#byId.set(connection.id, connection);
    if (connection.outbound) this.#outbound++;
    // The newest connection from an address wins: it is the one the peer is using now.
    this.#byKey.set(
      connectionKey(connection.protocol, connection.remoteHost, connection.remotePort),
      connection,
    );
    if (connection.serverName !== undefined)
      this.#byServerName.set(this.#verifiedKeyOf(connection, connection.serverName), connection);
  }

  /**
   * Called once for each connection that leaves the table (it closed), e.g. to drop the registrations bound
   * to its flow (RFC 5626). The listener must not throw.
   */
  onClose(listener: (connection: Connection) => void): void {
    this.#closeListeners.push(listener);
  }

  remove(connection: Connection): void {
    const known = this.#byId.get(connection.id) === connection;
    if (known) {
      this.#byId.delete(connection.id);
      if (connection.outbound) this.#outbound--;
    }
    const key = connectionKey(connection.protocol, connection.remoteHost, connection.remotePort);
    if (this.#byKey.get(key) === connection) this.#byKey.delete(key);
    if (connection.serverName !== undefined) {
      const verified = this.#verifiedKeyOf(connection, connection.serverName);
      if (this.#byServerName.get(verified) === connection) this.#byServerName.delete(verified);
    }
    if (known) for (const listener of this.#closeListeners) listener(connection);
  }

  #verifiedKeyOf(connection: Connection, serverName: string): string {
    return verifiedKey(connection.protocol, connection.remoteHost, connection.remotePort, serverName);
  }

  byId(id: string): Connection | undefined {
    const connection = this.#byId.get(id);
    return connection?.closed === false ? connection : undefined;
  }

  /**
   * The open connection of `protocol` that `target.connectionId` names; with `target.verifyAddress`, only
   * while it comes from the target's transport and address (the flow the id was recorded with).
   */
  byTarget(protocol: TransportProtocol, target: SendTarget): Connection | undefined {
    if (target.connectionId === undefined) return undefined;
    const connection = this.byId(target.connectionId);
    if (connection === undefined || connection.protocol !== protocol) return undefined;
    if (
      target.verifyAddress === true &&
      connectionKey(connection.protocol, connection.remoteHost, connection.remotePort) !==
        connectionKey(target.transport, target.host, target.port)
    )
      return undefined;
    return connection;
  }

  byAddress(protocol: TransportProtocol, host: string, port: number): Connection | undefined {
    const connection = this.#byKey.get(connectionKey(protocol, host, port));
    return connection?.closed === false ? connection : undefined;
  }

  /** The newest open connection we opened to that address whose certificate was checked for `serverName`. */
  byServerName(
    protocol: TransportProtocol,
    host: string,
    port: number,
    serverName: string,
  ): Connection | undefined {
    const connection = this.#byServerName.get(verifiedKey(protocol, host, port, serverName));
    return connection?.closed === false ? connection : undefined;
  }

  all(): Connection[] {
    return [...this.#byId.values()];
  }
}
