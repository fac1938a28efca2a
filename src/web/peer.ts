/**
 * Who sent an HTTP request, as the web server saw it: the TCP peer's address. Behind a reverse proxy this is
 * the proxy's address (missive trusts no X-Forwarded-For). The Hono applications get it as `c.env.peer`.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export interface Peer {
  /** The peer's IP address as Node reports it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly address: string;
}

/**
 * The Hono environment of missive's web applications (web-app.ts, the routes). `incoming` is the node
 * request, for the routes that stream their body themselves (file-upload.ts); absent in tests that call
 * the application without a server.
 */
export type WebEnv = { Bindings: { readonly peer: Peer; readonly incoming?: IncomingMessage } };

/** The address a request came from. */
export function peerAddress(c: Context<WebEnv>): string {
  return c.env.peer.address;
}
