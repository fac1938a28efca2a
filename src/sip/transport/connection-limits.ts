/**
 * The limits an operator sets on TCP, TLS and WebSocket connections (`missive serve` options) and their
 * defaults. Kept apart, without imports, so that the command line can show the defaults cheaply.
 */

/** Each one not given takes its default (DEFAULT_CONNECTION_LIMITS). */
export interface ConnectionLimits {
  /**
   * Inbound TCP, TLS and WebSocket connections open at once, counted from the TCP connect (InboundConnections).
   * Default 10000.
   */
  readonly maxConnections?: number | undefined;
  /** Of those, from one source address (an IPv6 /64). Default 100. */
  readonly maxConnectionsPerSource?: number | undefined;
  /** Connections we open, open at once; they never take an inbound connection's room. Default 1000. */
  readonly maxOutboundConnections?: number | undefined;
  /**
   * An accepted TLS connection must finish its handshake, and one on a WebSocket transport's own server send
   * its upgrade request, within this of the TCP connect. Default 10 s.
   */
  readonly handshakeTimeoutMs?: number | undefined;
  /** An inbound connection that has sent no complete request this long after it opened is closed. Default 30 s. */
  readonly firstRequestTimeoutMs?: number | undefined;
  /** A message (on WebSocket, a frame) must arrive whole within this of its first byte. Default 32 s. */
  readonly messageTimeoutMs?: number | undefined;
  /** A connection with no traffic for this long is closed. Default 10 minutes. */
  readonly idleTimeoutMs?: number | undefined;
}

/** The defaults of the connection limits (ConnectionLimits). */
export const DEFAULT_CONNECTION_LIMITS = {
  maxConnections: 10_000,
  // A NAT or a carrier-grade NAT puts many honest clients behind one address: room for a hundred.
  maxConnectionsPerSource: 100,
  maxOutboundConnections: 1000,
  handshakeTimeoutMs: 10_000,
  firstRequestTimeoutMs: 30_000,
  // RFC 3261 §17.1.1.2's 64*T1: as long as a UDP request is retransmitted.
  messageTimeoutMs: 32_000,
  idleTimeoutMs: 600_000,
} as const;
