/**
 * The sylkRTC WebSocket API on the web port (sylk spec §1.1): takes the upgrades upgrades.ts routes here
 * (`/webrtcgateway/ws` offering `sylkRTC-2`), checks the Origin (`web_origins`), selects `sylkRTC-2`, and
 * runs each connection (connection.ts). The web port has counted the TCP connection against the inbound
 * limits, per source and in total, before the upgrade (http-server.ts), so a sylkRTC connection takes one of
 * those slots until it closes. close() ends every connection with 1001.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { LoginGate } from '../../auth/login-limiter.js';
import type { CredentialStore } from '../../credentials/store.js';
import type { MessagingService } from '../../messaging/service.js';
import type { Clock } from '../../time/clock.js';
import { refuseWebUpgrade, SYLKRTC_SUBPROTOCOL, type UpgradeHandler } from '../upgrades.js';
import { SylkRtcConnection } from './connection.js';
import { Ha1Check, type UpstreamRegistrar } from './ha1-check.js';
import { OriginPolicy } from './origin-policy.js';
import { DEFAULT_SYLKRTC_SETTINGS, GOING_AWAY_CLOSE_CODE, type SylkRtcSettings } from './settings.js';

export interface SylkRtcApiOptions {
  /** The subscribers whose HA1 account-register checks (the SIP registrar's). */
  readonly credentials: CredentialStore;
  /** The process's failed-login limiter, shared with SIP digest and MSRP AUTH. */
  readonly loginGate: LoginGate;
  /** Behind a proxy: account-register registers upstream with the HA1 instead of reading `credentials`. */
  readonly upstream?: UpstreamRegistrar | undefined;
  /** The messaging service; undefined: messaging requests are refused as not available. */
  readonly messaging?: MessagingService | undefined;
  /** sylk spec §1.7.1 step 6: creates the storage account or sets its last login. */
  readonly touchAccount: (account: string) => Promise<void>;
  readonly clock: Clock;
  readonly settings?: Partial<SylkRtcSettings> | undefined;
  /** The Server header of the handshake response. */
  readonly serverHeader?: string | undefined;
  readonly logger?: Logger | undefined;
}

export class SylkRtcApi implements UpgradeHandler {
  #settings: SylkRtcSettings;

  get settings(): SylkRtcSettings {
    return this.#settings;
  }

  /** The domains `account-add` accepts, anew (a reload): for connections made from now on. */
  setSipDomains(sipDomains: readonly string[]): void {
    this.#settings = { ...this.#settings, sipDomains };
  }
  readonly #options: SylkRtcApiOptions;
  readonly #upgrader: WebSocketServer;
  readonly #origins: OriginPolicy;
  readonly #ha1Check: Ha1Check;
  readonly #connections = new Set<SylkRtcConnection>();
  readonly #logger: Logger | undefined;
  #nextId = 1;
  #closing = false;

  constructor(options: SylkRtcApiOptions) {
    this.#options = options;
    this.#settings = { ...DEFAULT_SYLKRTC_SETTINGS, ...options.settings };
    this.#logger = options.logger?.child({ component: 'sylkrtc' });
    this.#origins = new OriginPolicy(this.#settings.webOrigins);
    this.#ha1Check = new Ha1Check(options.credentials, options.loginGate, this.#logger, options.upstream);
    this.#upgrader = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // A compressed frame would let a small input cost a large buffer.
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SYLKRTC_SUBPROTOCOL) ? SYLKRTC_SUBPROTOCOL : false),
      // Up to twice the frame limit a request is answered with an error; beyond, ws closes with 1009.
      maxPayload: this.#settings.maxFrameBytes * 2,
    });
    const serverHeader = options.serverHeader;
    if (serverHeader !== undefined) {
      this.#upgrader.on('headers', (headers: string[]) => {
        headers.push(`Server: ${serverHeader}`);
      });
    }
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /**
   * Whether `account` (`user@domain`) is registered on any open connection now: what the file upload takes
   * as the sender's authentication (sylk spec §8.36), without the connection's address or anything else of it.
   */
  isRegistered(account: string): boolean {
    for (const connection of this.#connections) if (connection.isRegistered(account)) return true;
    return false;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (this.#closing) {
      refuseWebUpgrade(socket, 503, 'Server is shutting down');
      return true;
    }
    const origin = request.headers.origin;
    if (!this.#origins.allows(origin)) {
      refuseWebUpgrade(
        socket,
        400,
        `WebSocket connection denied: origin '${printable(origin ?? '')}' not allowed`,
      );
      return true;
    }
    // Read now: a closed socket no longer knows its address.
    const source = request.socket.remoteAddress ?? '';
    this.#upgrader.handleUpgrade(request, socket, head, (webSocket) => {
      this.#adopt(webSocket, source);
    });
    return true;
  }

  /** Closes every connection (1001) and takes no more. */
  close(): void {
    this.#closing = true;
    for (const connection of [...this.#connections])
      connection.close(GOING_AWAY_CLOSE_CODE, 'Server is shutting down');
  }

  #adopt(socket: WebSocket, source: string): void {
    const options = this.#options;
    const connection = new SylkRtcConnection({
      id: `sylkrtc-${String(this.#nextId++)}`,
      socket,
      source,
      settings: this.#settings,
      clock: options.clock,
      ha1Check: this.#ha1Check,
      messaging: options.messaging,
      touchAccount: options.touchAccount,
      logger: this.#logger,
      onClose: (closed) => {
        this.#connections.delete(closed);
      },
    });
    this.#connections.add(connection);
    // Start-up (sylk spec §1.2) needs no backend here: a server closing meanwhile is its one way to fail.
    connection.started(this.#closing ? 'Server is shutting down' : undefined);
  }
}

/** An Origin as the refusal's reason phrase may carry it: printable ASCII, bounded. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
