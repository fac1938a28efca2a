/**
 * Who sent an HTTP request, as the web server saw it: the TCP peer's address. Behind a reverse proxy this is
 * the proxy's address (missive trusts no X-Forwarded-For). The Hono applications get it as `c.env.peer`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

export interface Peer {
  /** The peer's IP address as Node reports it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly address: string;
}

/** The node request and response of an exchange, for the routes that stream a body themselves. */
export interface RawExchange {
  readonly incoming: IncomingMessage;
  readonly outgoing: ServerResponse;
}

/**
 * The Hono environment of missive's web applications (web-app.ts, the routes). `raw` is the node request
 * and response, for the routes that stream a body themselves (file-upload.ts, file-download.ts); absent in
 * tests that call the application without a server.
 */
export type WebEnv = { Bindings: { readonly peer: Peer; readonly raw?: RawExchange } };

/** The address a request came from. */
export function peerAddress(c: Context<WebEnv>): string {
  return c.env.peer.address;
}
