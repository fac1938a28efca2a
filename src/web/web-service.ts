/**
 * What `missive serve` runs on its web port: the HTTP routes (web-app.ts) and the WebSocket upgrades (SIP
 * over WebSocket through the SIP transport layer; the sylkRTC-2 API, src/web/sylkrtc/) on one server.
 */
import type { TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { LoginGate } from '../auth/login-limiter.js';
import type { MessagingService } from '../messaging/service.js';
import type { InboundConnections } from '../sip/transport/inbound-connections.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import { type SourceFailureLimits, SourceFailureLimiter } from './failure-gate.js';
import type { FileTransferStore } from '../files/transfer-store.js';
import type { IncomingMessage } from 'node:http';
import { ActiveUploads } from './active-uploads.js';
import { FILE_TRANSFER_PATH } from './file-upload.js';
import { type WebAddress, WebServer } from './http-server.js';
import { TokenCheck } from './token-check.js';
import { TokenFailureLog } from './token-failure-log.js';
import type { UpgradeHandler } from './upgrades.js';
import { createWebApp } from './web-app.js';
import type { WebClientFiles } from './web-client-files.js';
import { SylkRtcApi } from './sylkrtc/sylkrtc-api.js';
import type { UpstreamRegistrar } from './sylkrtc/ha1-check.js';
import type { SylkRtcSettings } from './sylkrtc/settings.js';

/** SylkServer clients see the reference's product token (sylk spec §4); the comment says what answers. */
export const SERVER_HEADER = 'SylkServer/6.6.1 (missive)';

export interface WebServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly host: string;
  readonly port: number;
  /** Takes the upgrades that offer `sip` (the SIP TransportLayer). */
  readonly sip?: UpgradeHandler | undefined;
  /** Counts the web port's connections against the SIP transports' inbound limits (TransportLayer.inbound). */
  readonly inbound?: InboundConnections | undefined;
  /** Time from a connection's TCP connect to its first request head or WebSocket upgrade. Default 10 s. */
  readonly handshakeTimeoutMs?: number | undefined;
  /** Takes the sylkRTC-2 upgrades on /webrtcgateway/ws instead of `sylkRtc`'s API (tests). */
  readonly api?: UpgradeHandler | undefined;
  /** The sylkRTC-2 WebSocket API (src/web/sylkrtc/); undefined (and no `api`): refused with 501. */
  readonly sylkRtc?: SylkRtcWiring | undefined;
  /** HTTPS and wss: a PEM certificate and key, or SNI too (tls/server-certificates.ts). */
  readonly tls?: TlsOptions | undefined;
  readonly serverHeader?: string | undefined;
  readonly logger?: Logger | undefined;
  /** The history and journal pages' byte budget (default DEFAULT_PAGE_BYTES). */
  readonly maxPageBytes?: number | undefined;
  /** Failed API-token checks per source (failure-gate.ts), and how often they are logged. */
  readonly tokenFailures?: TokenFailureSettings | undefined;
  /** File transfer over HTTP (sylk spec §4.3); undefined: no file-transfer routes. */
  readonly fileTransfers?: FileTransferWiring | undefined;
  /** GET /ready's answer (web-app.ts); undefined: no /ready route. */
  readonly ready?: (() => Promise<boolean>) | undefined;
  /** Told of each answered HTTP request, by route pattern and status (the server's metrics). */
  readonly onRequest?: ((route: string, status: number) => void) | undefined;
  /** The web chat's built files (web-client-files.ts); undefined: no web chat. */
  readonly webClient?: WebClientFiles | undefined;
}

/** What the file-transfer routes need besides the web port's own parts. */
export interface FileTransferWiring {
  readonly files: FileTransferStore;
  /** The base of download URLs (`https://host:port`, no trailing slash). */
  readonly publicUrl: string;
  /** sylk spec §4.3.3 `until`: days from the upload. */
  readonly expireDays: number;
  /** Downloads need the sender's or the receiver's API token (default: the URL alone, as the reference). */
  readonly requireDownloadToken: boolean;
  /** Announces completed uploads (sylk spec §2.7 rows E–H); undefined: stored, not announced. */
  readonly messaging: MessagingService | undefined;
}

/** What the sylkRTC API needs from the rest of `missive serve`. */
export interface SylkRtcWiring {
  /** The process's failed-login limiter (SIP digest and MSRP AUTH share it). */
  readonly loginGate: LoginGate;
  /** undefined: messaging requests are refused as not available. */
  readonly messaging?: MessagingService | undefined;
  /** Behind a proxy: where account-register checks the HA1 (sylk spec §1.7.1). */
  readonly upstream?: UpstreamRegistrar | undefined;
  readonly settings?: Partial<SylkRtcSettings> | undefined;
}

export interface TokenFailureSettings extends SourceFailureLimits {
  /** Seconds between a source's failure summaries (token-failure-log.ts). Default 60. */
  readonly logIntervalSeconds?: number | undefined;
}

export class WebService {
  readonly #options: WebServiceOptions;
  readonly #server: WebServer;
  readonly #tokenFailures: TokenFailureLog;
  readonly #sylkRtc: SylkRtcApi | undefined;

  constructor(options: WebServiceOptions) {
    this.#options = options;
    const logger = options.logger?.child({ component: 'web' });
    const limits = options.tokenFailures ?? {};
    this.#tokenFailures = new TokenFailureLog({
      clock: options.clock,
      logger,
      intervalSeconds: limits.logIntervalSeconds,
    });
    const tokens = new TokenCheck({
      accounts: options.store.storageAccounts,
      clock: options.clock,
      gate: new SourceFailureLimiter(options.clock, limits),
      failures: this.#tokenFailures,
      logger,
    });
    const wiring = options.sylkRtc;
    this.#sylkRtc =
      wiring === undefined || options.api !== undefined
        ? undefined
        : new SylkRtcApi({
            credentials: options.store.subscribers.credentials,
            loginGate: wiring.loginGate,
            upstream: wiring.upstream,
            messaging: wiring.messaging,
            touchAccount: (account) => options.store.storageAccounts.touch(account, options.clock.now()),
            clock: options.clock,
            settings: wiring.settings,
            serverHeader: options.serverHeader ?? SERVER_HEADER,
            logger,
          });
    const transfers = options.fileTransfers;
    const app = createWebApp({
      store: options.store,
      clock: options.clock,
      tokens,
      serverHeader: options.serverHeader ?? SERVER_HEADER,
      logger,
      maxPageBytes: options.maxPageBytes,
      ready: options.ready,
      onRequest: options.onRequest,
      webClient: options.webClient,
      fileTransfers:
        transfers === undefined
          ? undefined
          : {
              files: transfers.files,
              accounts: options.store.storageAccounts,
              messaging: transfers.messaging,
              registered: this.#sylkRtc,
              uploads: new ActiveUploads(),
              publicUrl: transfers.publicUrl,
              expireDays: transfers.expireDays,
              requireToken: transfers.requireDownloadToken,
            },
    });
    this.#server = new WebServer({
      fetch: (request, peer, raw) => app.fetch(request, { peer, raw }),
      upgrades: { sip: options.sip, api: options.api ?? this.#sylkRtc },
      streamedBody: transfers === undefined ? undefined : isFileUpload,
      tls: options.tls,
      inbound: options.inbound,
      clock: options.clock,
      limits:
        options.handshakeTimeoutMs === undefined
          ? undefined
          : { handshakeTimeoutMs: options.handshakeTimeoutMs },
      logger,
    });
  }

  start(): Promise<WebAddress> {
    return this.#server.listen(this.#options.host, this.#options.port);
  }

  /** The sylkRTC API's SIP domains, anew (a reload). */
  setSipDomains(domains: readonly string[]): void {
    this.#sylkRtc?.setSipDomains(domains);
  }

  /** Takes no new connection: the first step of a graceful stop. */
  stopListening(): void {
    this.#server.stopListening();
  }

  /** HTTPS only: new certificates for new connections (a reload); open connections keep theirs. */
  setSecureContext(options: TlsOptions): void {
    this.#server.setSecureContext(options);
  }

  /** Open sylkRTC API connections. */
  get sylkRtcConnections(): number {
    return this.#sylkRtc?.size ?? 0;
  }

  /** The sylkRTC API's settings, when it runs. */
  get sylkRtcSettings(): SylkRtcSettings | undefined {
    return this.#sylkRtc?.settings;
  }

  async stop(): Promise<void> {
    this.#sylkRtc?.close();
    await this.#server.close();
    this.#tokenFailures.close(); // the last failure summaries
  }
}

/** A file upload streams its body for as long as it takes (file-upload.ts). */
function isFileUpload(request: IncomingMessage): boolean {
  return request.method === 'POST' && request.url?.startsWith(`${FILE_TRANSFER_PATH}/`) === true;
}
