/**
 * missive's SIP side assembled: transports → transactions → the routing policy, with the registrar and digest
 * authentication over a Store (subscribers and registrations). One instance per process; start() listens,
 * stop() closes everything.
 */
import { type ClusterPeers, throughHolder } from '../routing/held-elsewhere.js';
import type { TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import { Registrar } from '../registrar/registrar.js';
import { CachedLocationStore } from '../registrar/cached-locations.js';
import { FlowBindings } from '../registrar/flows.js';
import type { RegistrationListener } from '../registrar/options.js';
import { Locations } from '../registrar/locations.js';
import { LocalAddresses, type ListeningPoint } from '../routing/local-addresses.js';
import type { ApplicationEnvironment, LocalApplication } from '../routing/local-application.js';
import type { OutboundEnvironment } from '../routing/outbound-proxy.js';
import { ProxyOutbound } from '../routing/outbound-requests.js';
import { Router } from '../routing/router.js';
import type { DeviceWaker } from '../routing/device-waker.js';
import { SleepingDevices } from '../routing/sleeping-devices.js';
import { TrustedPeers, TrustingAuthenticator } from '../routing/trusted-peers.js';
import { DigestAuthenticator } from '../sip/auth/authenticator.js';
import { type ServerLocator, SipLocator } from '../sip/dns/locator.js';
import { DEFAULT_TIMERS, type TransactionTimers, transactionTimeout } from '../sip/transaction/timers.js';
import { DEFAULT_MAX_SERVER_TRANSACTIONS } from '../sip/transaction/limits.js';
import { TransactionLayer } from '../sip/transaction/transaction-layer.js';
import type { ConnectionLimits } from '../sip/transport/connection-limits.js';
import { TransportLayer } from '../sip/transport/transport-layer.js';
import type { TransportProtocol } from '../sip/transport/types.js';
import type { Store } from '../store/store.js';
import { type Clock, systemClock } from '../time/clock.js';
import type { DigestAlgorithm } from '../auth/digest.js';
import type { LoginGate } from '../auth/login-limiter.js';
import type { NonceKeys } from '../sip/auth/nonce-key-file.js';
import type { SipTraffic } from './metrics/server-metrics.js';

/** What an application inside the SIP service is made with (routing/local-application.ts). */
export type SipEnvironment = ApplicationEnvironment;

export interface SipListen {
  readonly transport: TransportProtocol;
  readonly port: number;
}

export interface SipServiceOptions {
  readonly store: Store;
  /** SIP domains served: registrations, users and digest realms. */
  readonly domains: readonly string[];
  /** The IP address listened on. */
  readonly host: string;
  /** The host written into Via and Record-Route; default `host` (give a reachable one when `host` is 0.0.0.0). */
  readonly advertisedHost?: string | undefined;
  readonly listen: readonly SipListen[];
  /** The TLS and WSS listeners' certificate (a PEM certificate and key, or SNI too: tls/server-certificates.ts). */
  readonly tls?: TlsOptions | undefined;
  /** Sources (CIDR) whose requests need no digest authentication. */
  readonly trustedPeers?: readonly string[] | undefined;
  readonly digestAlgorithms?: readonly DigestAlgorithm[] | undefined;
  /** The process's failed-login limiter (shared with the MSRP relay). Default: one of the service's own. */
  readonly loginLimiter?: LoginGate | undefined;
  /** This process's nonce key and the previous process's (stale answers after a restart). Default random. */
  readonly nonceKeys?: NonceKeys | undefined;
  /** The local application, or how to make it from the service's parts (it sends requests of its own). */
  readonly messaging?: LocalApplication | ((environment: SipEnvironment) => LocalApplication) | undefined;
  /** Locates next hops named by host name (RFC 3263). Default: a SipLocator on the system's DNS servers. */
  readonly locator?: ServerLocator | undefined;
  /** Transaction timers (T1, T2, T4). Default RFC 3261's. */
  readonly timers?: TransactionTimers | undefined;
  /** Server transactions kept at most (live and completed); beyond it 503. Default 100,000. */
  readonly maxTransactions?: number | undefined;
  /** Limits on TCP, TLS and WebSocket connections (TransportLayer's defaults for those not given). */
  readonly connectionLimits?: ConnectionLimits | undefined;
  /** RFC 8599: wakes devices asleep (push parameters, flow gone); without one they are forwarded as any. */
  readonly deviceWaker?: DeviceWaker | undefined;
  /** Told of the bindings each accepted REGISTER stored and removed (the push tokens of SIP devices). */
  readonly registrationListener?: RegistrationListener | undefined;
  /** How long a request waits for a woken device's REGISTER. Default 20 s. */
  readonly wakeTimeoutMs?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
  /** Told of every SIP message received and sent (the server's metrics). */
  readonly traffic?: SipTraffic | undefined;
  /** Several instances on one store: this one's id, and where the others are (routing/held-elsewhere.ts). */
  readonly cluster?: ClusterPeers | undefined;
}

/** How long a cached registration lookup is trusted without asking the store (another instance may write). */
const LOCATION_CACHE_MS = 2_000;
/** How often expired registrations are deleted (lookups ignore them anyway). */
const PURGE_INTERVAL_MS = 60_000;
const DEFAULT_WAKE_TIMEOUT_MS = 20_000;

/** How often a graceful stop looks whether the transactions in progress are done. */
const DRAIN_POLL_MS = 50;

export class SipService {
  readonly transports: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly local: LocalAddresses;
  /** For requests of missive's own through an outbound proxy: `sendThroughServer(service.outbound, ...)`. */
  readonly outbound: OutboundEnvironment;
  readonly #options: SipServiceOptions;
  readonly #locations: Locations;
  readonly #trustedPeers: TrustedPeers;
  readonly #registrar: Registrar;
  /** Removals of the outbound bindings of connections that closed, under way. */
  readonly #flowRemovals = new Set<Promise<unknown>>();
  #purgeTimer: NodeJS.Timeout | undefined;

  constructor(options: SipServiceOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    const logger = options.logger;
    this.transports = new TransportLayer({
      ...options.connectionLimits,
      clock,
      // Debug only: a flood would write a line per connection.
      onRefused: (refusal, address) => {
        logger?.debug({ remote: address, limit: refusal }, 'connection refused: too many connections');
      },
      onExpired: (connection, expiry) => {
        logger?.debug(
          { connection: connection.id, remote: connection.remoteHost, expiry },
          'connection closed: deadline missed',
        );
      },
      tls: options.tls === undefined ? undefined : { server: options.tls },
      onListenerError: (error) => logger?.error({ err: error }, 'SIP request handler failed'),
      onSent:
        options.traffic === undefined
          ? undefined
          : (message) => {
              options.traffic?.sent(message);
            },
    });
    const timers = options.timers ?? DEFAULT_TIMERS;
    const traffic = options.traffic;
    this.transactions = new TransactionLayer(this.transports, {
      onFinalOverUdp:
        traffic === undefined
          ? undefined
          : (response) => {
              traffic.sent(response);
            },
      onClientFinal:
        traffic === undefined
          ? undefined
          : (request, response) => {
              traffic.answered(request, response);
            },
      clock,
      timers,
      onSendError: (error) => logger?.debug({ err: error }, 'response not sent'),
      maxServerTransactions: options.maxTransactions,
      onFull: (full, refused) => {
        if (full)
          logger?.warn(
            { maxTransactions: options.maxTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS },
            'SIP transaction table full: new requests get 503 with Retry-After',
          );
        else logger?.warn({ refused }, 'SIP transaction table has room again');
      },
    });
    this.local = new LocalAddresses(options.domains);
    const cluster = options.cluster;
    // In a cluster a device may register through another instance at any moment: a lookup served from this
    // instance's cache would route a request to the bindings as they were, missing the new one for up to
    // the cache's age (found by the dispatcher test). There, every lookup asks the shared store.
    const locations = new CachedLocationStore(
      options.store.locations,
      clock,
      cluster === undefined ? LOCATION_CACHE_MS : 0,
    );
    this.#locations = new Locations(
      locations,
      clock,
      cluster === undefined ? undefined : (binding) => throughHolder(binding, cluster),
    );
    const authenticator = new DigestAuthenticator({
      credentials: options.store.subscribers.credentials,
      clock,
      algorithms: options.digestAlgorithms,
      limiter: options.loginLimiter,
      nonceKey: options.nonceKeys?.key,
      previousNonceKeys: options.nonceKeys?.previous === undefined ? [] : [options.nonceKeys.previous],
      logger,
    });
    const trustedPeers = new TrustedPeers(options.trustedPeers ?? []);
    this.#trustedPeers = trustedPeers;
    // Standalone, missive is both edge proxy and registrar: a flow that failed takes its bindings along.
    const connections = this.transports.connections;
    const flows = new FlowBindings(locations, (id) => connections.byId(id) !== undefined);
    connections.onClose((connection) => {
      const removal = flows.closed(connection.id).then(
        (removed) => {
          if (removed > 0)
            logger?.debug({ connection: connection.id, removed }, 'flow closed, its registrations removed');
        },
        (error: unknown) => {
          logger?.warn({ err: error, connection: connection.id }, 'removing a closed flow failed');
        },
      );
      this.#flowRemovals.add(removal);
      void removal.finally(() => this.#flowRemovals.delete(removal));
    });
    const registrar = new Registrar({
      authenticator: new TrustingAuthenticator(authenticator, trustedPeers),
      locations,
      domains: options.domains,
      clock,
      logger,
      flows,
      listener: options.registrationListener,
      holder: cluster?.self,
    });
    this.#registrar = registrar;
    const locator = options.locator ?? new SipLocator({ clock });
    this.outbound = {
      transactions: this.transactions,
      locator,
      clock,
      local: this.local,
      budgetMs: transactionTimeout(timers),
    };
    const router = new Router({
      transactions: this.transactions,
      transport: this.transports,
      local: this.local,
      clock,
      registrar,
      locations: this.#locations,
      authenticator,
      subscribers: options.store.subscribers.credentials,
      trustedPeers,
      application:
        typeof options.messaging === 'function'
          ? options.messaging({
              requests: new ProxyOutbound({
                transactions: this.transactions,
                local: this.local,
                locations: this.#locations,
                outbound: this.outbound,
                logger,
              }),
              local: this.local,
              clock,
            })
          : options.messaging,
      locator,
      failoverBudgetMs: transactionTimeout(timers),
      sleepingDevices:
        options.deviceWaker === undefined
          ? undefined
          : new SleepingDevices({
              waker: options.deviceWaker,
              locations: this.#locations,
              clock,
              timeoutMs: options.wakeTimeoutMs ?? DEFAULT_WAKE_TIMEOUT_MS,
              isConnectionOpen: (id) => connections.byId(id) !== undefined,
              logger,
            }),
      logger,
    });
    this.transactions.setUser(router);
    this.transports.on('message', (message, source) => {
      traffic?.received(message);
      this.transactions.receive(message, source);
    });
  }

  /** Listens on every configured transport; the points as advertised. */
  async start(): Promise<ListeningPoint[]> {
    const { host, advertisedHost } = this.#options;
    const points: ListeningPoint[] = [];
    for (const { transport, port } of this.#options.listen) {
      const bound = await this.transports.listen(transport, host, port);
      const point = { transport, host: advertisedHost ?? bound.host, port: bound.port };
      this.local.addPoint(point);
      points.push(point);
    }
    this.#purgeTimer = setInterval(() => {
      this.#locations.purgeExpired().catch((error: unknown) => {
        this.#options.logger?.warn({ err: error }, 'purging expired registrations failed');
      });
    }, PURGE_INTERVAL_MS);
    this.#purgeTimer.unref();
    return points;
  }

  /**
   * A WebSocket listening point that a shared HTTP server serves (it passes its upgrades to
   * transports.handleUpgrade): no listener of its own, but Via and Record-Route name it like any other.
   */
  addSharedWebSocket(transport: 'ws' | 'wss', port: number): ListeningPoint {
    const point = { transport, host: this.#options.advertisedHost ?? this.#options.host, port };
    this.local.addPoint(point);
    return point;
  }

  /** The SIP domains served, anew (a reload): registrations, local users, the messaging application's. */
  setDomains(domains: readonly string[]): void {
    this.local.setDomains(domains);
    this.#registrar.setDomains(domains);
  }

  /** Sources whose requests need no digest authentication, anew (a reload). */
  setTrustedPeers(cidrs: readonly string[]): void {
    this.#trustedPeers.replace(cidrs);
  }

  /**
   * The first step of a graceful stop: no new connection, new requests get 503, and the transactions in
   * progress have until `graceMs` to finish (a MESSAGE whose recipient answers slowly gets its answer).
   * Resolves with how many were still in progress at the deadline.
   */
  drain(graceMs: number): Promise<number> {
    this.transactions.drain();
    this.transports.stopListening();
    const clock = this.#options.clock ?? systemClock;
    const deadline = clock.now() + graceMs;
    return new Promise((resolve) => {
      const check = (): void => {
        const left = this.transactions.inProgress;
        if (left === 0 || clock.now() >= deadline) resolve(left);
        else clock.schedule(DRAIN_POLL_MS, check);
      };
      check();
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#purgeTimer);
    this.transactions.clear();
    await this.transports.close();
    // The closed connections' flows are gone: their bindings too, before the store may be closed.
    await Promise.all(this.#flowRemovals);
  }
}
