/**
 * What one TLS listener presents: its default certificate, and the SNI certificates chosen by the server name
 * a client asks for. The listener is made with `serverOptions()`; its SNI callback reads this object each
 * handshake, so `replace` reaches new connections at once, while connections already open keep the
 * certificate they were made with. Clients that send no server name (an IP address) get the listener's default
 * context, which the owner swaps with `setSecureContext(credentials)` (server/reconfigure.ts).
 */
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls';
import { nameMatches } from './certificates.js';

export interface TlsCredentials {
  /** PEM: the certificate, then its chain. */
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface NamedCredentials extends TlsCredentials {
  readonly names: readonly string[];
}

const MIN_VERSION = 'TLSv1.2';

export class ServerCertificates {
  #credentials: TlsCredentials;
  #defaultContext: SecureContext;
  #named: readonly { readonly names: readonly string[]; readonly context: SecureContext }[];

  constructor(credentials: TlsCredentials, named: readonly NamedCredentials[] = []) {
    this.#credentials = credentials;
    this.#defaultContext = contextOf(credentials);
    this.#named = named.map((entry) => ({ names: entry.names, context: contextOf(entry) }));
  }

  /** The default certificate and key, for `setSecureContext`. */
  get credentials(): TlsOptions {
    return { ...this.#credentials, minVersion: MIN_VERSION };
  }

  /** Options for `tls.createServer` / `https.createServer`. */
  serverOptions(): TlsOptions {
    return {
      ...this.credentials,
      SNICallback: (servername, callback) => {
        callback(null, this.contextFor(servername));
      },
    };
  }

  /** The SNI certificate holding `servername` (the first match, in the order given); else the default. */
  contextFor(servername: string): SecureContext {
    const match = this.#named.find((entry) => entry.names.some((name) => nameMatches(name, servername)));
    return match?.context ?? this.#defaultContext;
  }

  /** New certificates for new handshakes (a reload). */
  replace(credentials: TlsCredentials, named: readonly NamedCredentials[] = []): void {
    this.#credentials = credentials;
    this.#defaultContext = contextOf(credentials);
    this.#named = named.map((entry) => ({ names: entry.names, context: contextOf(entry) }));
  }
}

function contextOf(credentials: TlsCredentials): SecureContext {
  return createSecureContext({ cert: credentials.cert, key: credentials.key, minVersion: MIN_VERSION });
}
