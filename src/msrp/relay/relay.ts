/**
 * The MSRP relay server: listens (TLS, or plain TCP with debug_notls), hands each connection to a
 * PeerConnection, and owns what outlives a configuration: the unbound-session table and the live connections.
 */
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import {
  createSecureContext,
  createServer as createTlsServer,
  Server as TlsServer,
  type TlsOptions,
} from 'node:tls';
import type { Logger } from 'pino';
import { type LoginGate, LoginLimiter } from '../../auth/login-limiter.js';
import { NonceIssuer } from './nonces.js';
import type { CredentialStore } from '../../credentials/store.js';
import { type Clock, systemClock } from '../../time/clock.js';
import { DeadlineQueue } from '../../time/deadline-queue.js';
import { dnsNames, nameMatches } from '../../tls/certificates.js';
import { TransactionIds } from '../transaction-ids.js';
import { AuthHandler } from './auth-handler.js';
import { Authenticator } from './authenticator.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { RelaySnapshot } from './metrics.js';
import { NextHopPool } from './next-hop-pool.js';
import type { PeerState } from './peer.js';
import { PeerConnection } from './peer-connection.js';
import type { RelaySettings } from './settings.js';
import { RelayStats } from './stats.js';
import { TlsSessionCache } from './tls-sessions.js';
import { UnboundSessions } from './unbound-sessions.js';

/** A read of the connections the relay opens: as much as Node reads at once from a TCP socket. */
const READ_BUFFER_BYTES = 64 * 1024;

export class RelayStartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RelayStartupError';
  }
}

interface Listener {
  readonly server: Server;
  readonly settings: RelaySettings;
  readonly tls: TlsFiles | undefined;
  readonly hostname: string;
  readonly address: { readonly host: string; readonly port: number };
}

interface TlsFiles {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca: Buffer | undefined;
}

export interface RelayOptions {
  readonly settings: RelaySettings;
  readonly credentials: CredentialStore;
  readonly logger: Logger;
  readonly clock?: Clock;
  /**
   * The process's failed-login limiter, when the relay shares one with SIP (`missive serve`). Default: the
   * relay's own, with the limits of the settings it starts with.
   */
  readonly loginLimiter?: LoginGate | undefined;
  /** Certificates by the server name a client asks for (SNI); the configured certificate for the others. */
  readonly sniCallback?: TlsOptions['SNICallback'] | undefined;
}

export class MsrpRelay {
  readonly #options: RelayOptions;
  readonly #state: RelayState;
  readonly #nonces: NonceIssuer;
  readonly #loginLimiter: LoginGate;
  #listener: Listener | undefined;
  #runtime: RelayRuntime | undefined;
  #credentials: CredentialStore | undefined;

  constructor(options: RelayOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    this.#nonces = new NonceIssuer(clock, options.settings.authChallengeExpirationTime * 1000);
    const { settings } = options;
    this.#loginLimiter =
      options.loginLimiter ??
      new LoginLimiter(
        clock,
        {
          pairMaxFailures: settings.loginPairMaxFailures,
          sourceMaxFailures: settings.loginSourceMaxFailures,
          windowSeconds: settings.loginFailureWindow,
          cooldownSeconds: settings.loginCooldown,
        },
        options.logger,
      );
    this.#state = {
      clock,
      deadlines: new DeadlineQueue(clock),
      tids: new TransactionIds(),
      unbound: new UnboundSessions(),
      connections: new Set(),
      stats: new RelayStats(),
      logger: options.logger,
      readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    };
  }

  get stats(): RelayStats {
    return this.#state.stats;
  }

  snapshot(): RelaySnapshot {
    const connectionsByState = new Map<PeerState, number>();
    for (const connection of this.#state.connections) {
      connectionsByState.set(connection.state, (connectionsByState.get(connection.state) ?? 0) + 1);
    }
    return { stats: this.#state.stats, connectionsByState, unboundSessions: this.#state.unbound.size };
  }

  /** Validates the configuration, then listens. Rejects with RelayStartupError for a bad setting. */
  async start(): Promise<{ host: string; port: number }> {
    const listener = await this.#listen(this.#options.settings);
    this.#install(listener, this.#options.settings, this.#options.credentials);
    return listener.address;
  }

  /**
   * Applies a new configuration to new connections; established and unbound sessions keep going. Nothing
   * changes unless the whole new configuration is valid and its listener is up (msrprelay exited instead).
   * The previous nonce key stays valid for one challenge lifetime, so a client mid-AUTH is not refused.
   */
  async reload(
    settings: RelaySettings,
    credentials: CredentialStore,
  ): Promise<{ host: string; port: number }> {
    const current = this.#listener;
    if (current === undefined) throw new RelayStartupError('the relay is not running');
    const sameSocket =
      current.settings.address.host === settings.address.host &&
      current.settings.address.port === settings.address.port &&
      current.settings.debugNotls === settings.debugNotls;
    const listener = sameSocket ? await this.#reuse(current, settings) : await this.#listen(settings);
    const previousCredentials = this.#credentials;
    this.#install(listener, settings, credentials);
    this.#nonces.rotateKey();
    if (!sameSocket) current.server.close();
    if (previousCredentials !== credentials) {
      // Connections still authenticating under the old configuration may use the old store a little longer.
      this.#state.clock.schedule(current.settings.invalidConnectionTimeout * 1000, () => {
        previousCredentials?.close().catch((error: unknown) => {
          this.#options.logger.warn({ err: error }, 'Closing the previous credential store failed');
        });
      });
    }
    return listener.address;
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    for (const connection of this.#state.connections) connection.destroy();
    if (listener !== undefined) {
      await new Promise<void>((resolve) => {
        listener.server.close(() => {
          resolve();
        });
      });
    }
    await this.#credentials?.close();
  }

  #install(listener: Listener, settings: RelaySettings, credentials: CredentialStore): void {
    this.#listener = listener;
    this.#credentials = credentials;
    this.#nonces.setLifetime(settings.authChallengeExpirationTime);
    const authenticator = new Authenticator(
      this.#nonces,
      credentials,
      {
        algorithms: settings.digestAlgorithms,
        allowBasic: settings.allowBasicAuth,
        uniformFailures: settings.uniformAuthFailures,
      },
      this.#loginLimiter,
      this.#options.logger,
    );
    const address = {
      hostname: listener.hostname,
      port: listener.address.port,
      secure: listener.tls !== undefined,
    };
    const runtime: RelayRuntime = {
      settings,
      auth: new AuthHandler(authenticator, settings, address, this.#state),
      clientTls: createSecureContext({
        ...(listener.tls === undefined ? {} : { key: listener.tls.key, cert: listener.tls.cert }),
        ...(listener.tls?.ca === undefined ? {} : { ca: listener.tls.ca }),
      }),
      nextHopSessions: new TlsSessionCache(),
    };
    // The pool's connections keep the configuration they were opened under; a reload starts a new pool.
    this.#runtime = settings.shareNextHopConnections
      ? { ...runtime, nextHopPool: new NextHopPool(runtime, this.#state) }
      : runtime;
  }

  /** A listening socket for these settings, with the TLS files and host name checked first. */
  async #listen(settings: RelaySettings): Promise<Listener> {
    const tls = settings.debugNotls ? undefined : loadTls(settings);
    const hostname = await chooseHostname(settings, tls);
    const onSocket = (socket: Socket): void => {
      const runtime = this.#runtime;
      if (runtime === undefined) {
        socket.destroy();
        return;
      }
      this.#state.stats.connectionAccepted();
      new PeerConnection(socket, runtime, this.#state);
    };
    const server =
      tls === undefined
        ? createTcpServer(onSocket)
        : createTlsServer(
            {
              key: tls.key,
              cert: tls.cert,
              minVersion: 'TLSv1.2',
              handshakeTimeout: settings.invalidConnectionTimeout * 1000,
              ...(this.#options.sniCallback === undefined ? {} : { SNICallback: this.#options.sniCallback }),
            },
            onSocket,
          );
    server.on('tlsClientError', (error: Error) => {
      this.#options.logger.debug({ err: error }, 'TLS handshake failed');
    });
    const address = await listenOn(server, settings.address.host, settings.address.port);
    return { server, settings, tls, hostname, address };
  }

  /** The same socket with new TLS credentials: no moment without a listener. */
  async #reuse(current: Listener, settings: RelaySettings): Promise<Listener> {
    const tls = settings.debugNotls ? undefined : loadTls(settings);
    const hostname = await chooseHostname(settings, tls);
    if (tls !== undefined && current.server instanceof TlsServer) {
      current.server.setSecureContext({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' });
    }
    return { server: current.server, settings, tls, hostname, address: current.address };
  }

  /** The host name Use-Path URIs carry. */
  get hostname(): string | undefined {
    return this.#listener?.hostname;
  }
}

function loadTls(settings: RelaySettings): TlsFiles {
  const missing = 'TLS certificate file is not specified in configuration or is invalid';
  if (settings.certificate === undefined || settings.key === undefined) throw new RelayStartupError(missing);
  try {
    return {
      cert: readFileSync(settings.certificate),
      key: readFileSync(settings.key),
      ca: settings.ca === undefined ? undefined : readFileSync(settings.ca),
    };
  } catch (error) {
    throw new RelayStartupError(`${missing} (${(error as Error).message})`, { cause: error });
  }
}

/** Relay spec §4: the configured name must be in the certificate; otherwise its first DNS name. */
async function chooseHostname(settings: RelaySettings, tls: TlsFiles | undefined): Promise<string> {
  if (tls !== undefined) {
    let names: string[];
    try {
      names = dnsNames(tls.cert);
    } catch (error) {
      throw new RelayStartupError(
        `TLS certificate file is not specified in configuration or is invalid (${(error as Error).message})`,
      );
    }
    if (settings.hostname !== '') {
      if (!names.some((name) => nameMatches(name, settings.hostname))) {
        throw new RelayStartupError(
          `The specified MSRP Relay hostname "${settings.hostname}" is not set as DNS subject alternative name in the TLS certificate.`,
        );
      }
      return settings.hostname;
    }
    const first = names[0];
    if (first === undefined) {
      throw new RelayStartupError('The TLS certificate has no DNS subject alternative name; set hostname');
    }
    return first;
  }
  if (settings.hostname !== '') return settings.hostname;
  const host = settings.address.host;
  if (host !== '0.0.0.0' && host !== '::') return host;
  return defaultIp();
}

/** The address of the interface with the default route: a UDP "connect" picks it and sends nothing. */
function defaultIp(): Promise<string> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (address: string): void => {
      socket.close();
      resolve(address);
    };
    socket.on('error', () => {
      done('127.0.0.1');
    });
    socket.connect(9, '1.2.3.4', () => {
      done(socket.address().address);
    });
  });
}

function listenOn(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new RelayStartupError(`Cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve({ host, port: typeof address === 'object' && address !== null ? address.port : port });
    });
  });
}
