/**
 * The transport layer's vocabulary (RFC 3261 §18): where a message came from, where one goes, and what every
 * transport (UDP, TCP, TLS, WebSocket) offers to the layer above.
 */
import type { EventEmitter } from 'node:events';
import type { SipMessage } from '../message/message.js';

export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Stream transports keep connections; UDP does not. */
export const STREAM_PROTOCOLS: ReadonlySet<TransportProtocol> = new Set(['tcp', 'tls']);

export interface LocalAddress {
  readonly host: string;
  readonly port: number;
}

/** Where a received message came from. `connectionId` is set for stream and WebSocket transports. */
export interface MessageSource {
  readonly transport: TransportProtocol;
  /** Remote IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly connectionId?: string;
  readonly local: LocalAddress;
}

/**
 * Where to send. For stream and WebSocket transports an open connection to (host, port) is reused, and
 * `connectionId`, when given and still open, is preferred over the address (a response on the connection its
 * request came on, RFC 3261 §18.2.2). WebSocket targets are never connected to: without an open connection
 * the send fails.
 */
export interface SendTarget {
  readonly transport: TransportProtocol;
  readonly host: string;
  readonly port: number;
  readonly connectionId?: string | undefined;
  /**
   * An RFC 5626 flow: only the connection `connectionId` may carry the message, never a new connection or
   * another one from the same address (RFC 5626 §5.3); when it is closed the send fails with a
   * FlowFailedError.
   */
  readonly flowOnly?: boolean | undefined;
  /**
   * `connectionId` was recorded with `transport`, `host` and `port` as its connection's remote address (a
   * registration's flow, kept in the store). Such an id may come from another instance or an earlier run and
   * name someone else's connection here, so the connection is taken only while it has that transport and
   * remote address; otherwise it counts as closed. Without it the id decides whatever the address says (a
   * response's Via may name another port than the connection's).
   */
  readonly verifyAddress?: boolean | undefined;
  /**
   * TLS: the name sent as SNI and checked against the server's certificate when `host` is an address that
   * DNS gave for it (RFC 5922: the SIP domain of the URI, not the SRV target). Default: `host` when a name.
   */
  readonly serverName?: string | undefined;
}

export interface TransportEvents {
  /** A message; a request's top Via already carries received/rport (RFC 3261 §18.2.1, RFC 3581). */
  message: [message: SipMessage, source: MessageSource];
}

export interface Transport extends EventEmitter<TransportEvents> {
  readonly protocol: TransportProtocol;
  /** Resolves with the bound address (port 0 picks an ephemeral port). */
  listen(host: string, port: number): Promise<LocalAddress>;
  /** Rejects with a TransportError when the message cannot be handed to the network. */
  send(message: SipMessage, target: SendTarget): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A send that failed: the layer above treats it as a transport error (RFC 3261 §8.1.3.1, §17.1.4). */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
}

/** A send over a flow (SendTarget.flowOnly) whose connection is gone: the proxy answers 430 (RFC 5626 §5.3). */
export class FlowFailedError extends TransportError {
  override readonly name = 'FlowFailedError';
}
