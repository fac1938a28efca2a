import { MsrpFileEndpoint } from '../msrp/endpoint/file-endpoint.js';
/**
 * The parts the composition root (missive-server.ts) builds besides SIP and messaging: the web port, the
 * admin API, journal retention and the MSRP relay, each from its settings.
 */
import type { TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { LoginGate } from '../auth/login-limiter.js';
import type { MessagingService } from '../messaging/service.js';
import { MsrpRelay } from '../msrp/relay/relay.js';
import { DEFAULT_RELAY_SETTINGS, type RelaySettings } from '../msrp/relay/settings.js';
import type { ListeningPoint } from '../routing/local-addresses.js';
import { RetentionPurger } from '../store/journal/retention.js';
import type { Store } from '../store/store.js';
import { systemClock } from '../time/clock.js';
import type { AdminSecret } from '../web/admin-secret.js';
import type { UpstreamRegistrar } from '../web/sylkrtc/ha1-check.js';
import { AdminService } from '../web/admin-service.js';
import { ExpirySweep } from '../files/expiry-sweep.js';
import { FileTransferStore } from '../files/transfer-store.js';
import { defaultWebClientDir, loadWebClient, type WebClientFiles } from '../web/web-client-files.js';
import { type FileTransferWiring, WebService } from '../web/web-service.js';
import type { ServerSettings } from './settings.js';
import type { SipService } from './sip-service.js';

const DAY_MS = 24 * 3600 * 1000;

export interface AdminAddress {
  readonly host: string;
  readonly port: number;
  /** Where the secret is: its file, or the variable that set it; never the secret. */
  readonly secretIn: string;
}

/** What the server watches on the web port: its readiness answer, and each request for the metrics. */
export interface WebObservers {
  readonly ready?: (() => Promise<boolean>) | undefined;
  readonly onRequest?: ((route: string, status: number) => void) | undefined;
}

/** The web port: HTTP routes and SIP over WebSocket on one server (the SIP point it serves). */
export async function startWeb(
  settings: NonNullable<ServerSettings['web']>,
  host: string,
  connectionLimits: ServerSettings['sip']['connectionLimits'],
  store: Store,
  sip: SipService,
  certificates: TlsOptions,
  sylkRtc: {
    readonly loginGate: LoginGate;
    readonly messaging: MessagingService;
    readonly domains: readonly string[];
    /** Behind a proxy: account-register registers upstream (sylk spec §1.7.1). */
    readonly upstream?: UpstreamRegistrar | undefined;
  },
  fileTransfers: FileTransferWiring,
  logger: Logger,
  observers: WebObservers = {},
): Promise<{ service: WebService; point: ListeningPoint; webChat: boolean; url: string }> {
  const webClient = settings.webClient ? webClientFiles(logger) : undefined;
  const service = new WebService({
    store,
    clock: systemClock,
    host,
    port: settings.port,
    sip: sip.transports,
    // One count of inbound connections for SIP and the web port: per source and in total.
    inbound: sip.transports.inbound,
    handshakeTimeoutMs: connectionLimits?.handshakeTimeoutMs,
    tls: settings.tls ? certificates : undefined,
    logger,
    maxPageBytes: settings.maxPageBytes,
    tokenFailures: settings.tokenFailures,
    ready: observers.ready,
    onRequest: observers.onRequest,
    sylkRtc: {
      loginGate: sylkRtc.loginGate,
      messaging: sylkRtc.messaging,
      upstream: sylkRtc.upstream,
      settings: { ...settings.sylkRtc, sipDomains: sylkRtc.domains },
    },
    fileTransfers,
    webClient,
  });
  const address = await service.start();
  const { port, secure: tls } = address;
  logger.info(
    {
      host: address.host,
      port,
      tls,
      maxPageBytes: settings.maxPageBytes,
      tokenFailures: settings.tokenFailures,
    },
    'web listening',
  );
  logger.info(service.sylkRtcSettings, 'sylkRTC WebSocket API on /webrtcgateway/ws');
  return {
    service,
    point: sip.addSharedWebSocket(address.secure ? 'wss' : 'ws', address.port),
    webChat: webClient !== undefined,
    // Port 0 (any free port) is known only now: the URL the banner prints names the one the system gave.
    url: settings.port === 0 ? settings.url.replace(/:0$/, `:${String(port)}`) : settings.url,
  };
}

/** The built web chat, or none (a warning that says how to build it): the server runs without it. */
function webClientFiles(logger: Logger): WebClientFiles | undefined {
  const loaded = loadWebClient(defaultWebClientDir());
  if (loaded.ok) return loaded.files;
  logger.warn({ reason: loaded.reason }, 'web chat not served');
  return undefined;
}

/** The file-transfer store (sylk spec §4.3) and its expiry sweep (sylk spec §4.3.7; start it once the server runs). */
export function fileTransfersOf(
  settings: ServerSettings['fileTransfer'],
  logger: Logger,
): { store: FileTransferStore; expiry: ExpirySweep } {
  const store = new FileTransferStore(settings.dir, {
    maxFileBytes: settings.maxFileBytes,
    quotaBytes: settings.quotaBytes,
  });
  const expiry = new ExpirySweep({
    root: store.layout.root,
    partialDirectory: store.layout.partialDirectory,
    expireDays: settings.expireDays,
    clock: systemClock,
    logger,
  });
  logger.info({ ...settings, dir: store.layout.root }, 'file transfers');
  return { store, expiry };
}

/** missive's MSRP endpoint for files sent in an INVITE (sylk spec §4.3.4), on the SIP address; undefined when off. */
export function msrpFileEndpointOf(settings: ServerSettings, logger: Logger): MsrpFileEndpoint | undefined {
  const msrp = settings.fileTransfer.msrp;
  if (msrp === undefined) return undefined;
  const host = settings.sip.host;
  const unspecified = host === '0.0.0.0' || host === '::' || host === '';
  return new MsrpFileEndpoint({
    host,
    port: msrp.port,
    advertisedHost: settings.sip.advertise ?? (unspecified ? '127.0.0.1' : host),
    idleTimeoutMs: Math.round(msrp.idleSeconds * 1000),
    clock: systemClock,
    logger,
  });
}

export async function startAdmin(
  adminPort: number,
  secret: AdminSecret,
  store: Store,
  logger: Logger,
): Promise<{ service: AdminService; address: AdminAddress }> {
  const service = new AdminService({
    pushTokens: store.pushTokens,
    port: adminPort,
    secret: secret.value,
    logger,
  });
  const { host, port } = await service.start();
  const address = {
    host,
    port,
    secretIn: secret.source === 'file' ? secret.path : '$MISSIVE_ADMIN_SECRET',
  };
  logger.info(address, 'admin API listening');
  return { service, address };
}

export function startRetention(days: number, store: Store, logger: Logger): RetentionPurger | undefined {
  if (days === 0) {
    logger.info('journal retention off: entries are kept for ever');
    return undefined;
  }
  const purger = new RetentionPurger({
    journal: store.journal,
    clock: systemClock,
    retentionMs: Math.round(days * DAY_MS),
    logger,
  });
  purger.start();
  logger.info({ days }, 'journal retention');
  return purger;
}

export function relayOf(
  settings: ServerSettings,
  hostname: string,
  certificate: { certificate: string; key: string },
  sniCallback: TlsOptions['SNICallback'],
  store: Store,
  loginLimiter: LoginGate,
  logger: Logger,
): MsrpRelay {
  return new MsrpRelay({
    settings: relaySettingsOf(settings, hostname, certificate),
    credentials: store.subscribers.credentials,
    // The SIP side's limiter: a guess over MSRP costs the same as one over SIP.
    loginLimiter,
    sniCallback,
    logger,
  });
}

/** The relay's settings inside `serve` (a reload gives the same relay new certificate files). */
export function relaySettingsOf(
  settings: ServerSettings,
  hostname: string,
  certificate: { certificate: string; key: string },
): RelaySettings {
  return {
    ...DEFAULT_RELAY_SETTINGS,
    address: { host: settings.sip.host, port: settings.relay.port },
    hostname,
    certificate: certificate.certificate,
    key: certificate.key,
    backend: 'memory',
    logLevel: settings.relay.debug ? 'debug' : 'info',
    shareNextHopConnections: settings.relay.shareNextHopConnections === true,
    // The relay checks the SIP accounts' passwords: it must not tell which accounts exist.
    uniformAuthFailures: true,
  };
}
