/**
 * What the composition root (missive-server.ts) runs, as the CLI (or a configuration file) has worked it
 * out: every part's settings in one place, with nothing left to parse.
 */
import type { LevelWithSilent } from 'pino';
import type { LoginLimits } from '../auth/login-limiter.js';
import type { LogFormat } from '../log/logger.js';
import type { MessageLimits } from '../messaging/limits/message-limits.js';
import type { ConnectionLimits } from '../sip/transport/connection-limits.js';
import type { ServerTlsSettings } from './certificates.js';
import type { ClusterSettings } from './cluster.js';
import type { SipListen } from './sip-service.js';
import type { SylkRtcSettings } from '../web/sylkrtc/settings.js';
import type { PushSettings } from '../push/push-settings.js';

export interface ServerSettings {
  /** The data directory: certificate, admin secret, nonce keys, the SQLite store by default. */
  readonly dataDir: string;
  /** The store's URI. */
  readonly storeUri: string;
  /** SIP domains served; the first is the relay's hostname and the test account's domain. */
  readonly domains: readonly string[];
  readonly logLevel: LevelWithSilent;
  /** Each TLS listener's certificate files (server/certificates.ts); none given: the self-signed one. */
  readonly tls: ServerTlsSettings;
  /** On SIGTERM or SIGINT, how long transactions in progress may take to finish. */
  readonly stopTimeoutSeconds: number;
  /** auto: pretty on a terminal, JSON otherwise (log/logger.ts). */
  readonly logFormat?: LogFormat | undefined;
  /** Prometheus /metrics and /ready on their own address (server/metrics/); undefined: off. */
  readonly metrics?: { readonly host: string; readonly port: number } | undefined;
  readonly sip: {
    readonly host: string;
    readonly advertise?: string | undefined;
    readonly listen: readonly SipListen[];
    readonly trustedPeers: readonly string[];
    readonly maxTransactions?: number | undefined;
    readonly connectionLimits?: ConnectionLimits | undefined;
  };
  readonly messaging: {
    /** Behind-proxy mode (src/messaging/create.ts). */
    readonly outboundProxy?: string | undefined;
    /** The history URL's base in token replies. */
    readonly publicUrl: string;
    readonly limits?: Partial<MessageLimits> | undefined;
    /** Address books on this XCAP server instead of the store (src/messaging/address-book/). */
    readonly xcapUrl?: string | undefined;
  };
  /** The web port (HTTP API and SIP over WebSocket); undefined: off. */
  readonly web?:
    | {
        readonly port: number;
        readonly tls: boolean;
        /** The URL the banner shows. */
        readonly url: string;
        readonly maxPageBytes?: number | undefined;
        readonly tokenFailures: {
          readonly maxFailures?: number | undefined;
          readonly windowSeconds?: number | undefined;
          readonly blockSeconds?: number | undefined;
          readonly logIntervalSeconds?: number | undefined;
        };
        /** The sylkRTC WebSocket API's origins and limits (web/sylkrtc/settings.ts). */
        readonly sylkRtc?: Partial<SylkRtcSettings> | undefined;
        /** Serve the web chat at /chat/ (issue 17). */
        readonly webClient: boolean;
      }
    | undefined;
  /** The admin API on 127.0.0.1 (sylk spec §4.5); undefined: off. */
  readonly admin?:
    | {
        readonly port: number;
        /** From MISSIVE_ADMIN_SECRET; undefined: the data directory's file (web/admin-secret.ts). */
        readonly secret?: string | undefined;
      }
    | undefined;
  readonly relay: {
    readonly port: number;
    readonly debug: boolean;
    /** `[Relay] share_next_hop_connections` (msrp/relay/next-hop-pool.ts). */
    readonly shareNextHopConnections?: boolean;
  };
  /** Uploaded files (sylk spec §4.3, src/files/). */
  readonly fileTransfer: {
    readonly dir: string;
    readonly expireDays: number;
    readonly maxFileBytes: number;
    /** 0: no quota. */
    readonly quotaBytes: number;
    readonly requireDownloadToken: boolean;
    /** missive's MSRP endpoint for files sent in an INVITE: its port (0: any, -1: off) and idle timeout. */
    readonly msrp?: { readonly port: number; readonly idleSeconds: number } | undefined;
  };
  /** Journal entries older than this many days are purged; 0 keeps them for ever. */
  readonly retentionDays: number;
  readonly login: LoginLimits;
  /** Push providers and dispatch; undefined: no provider (src/push/push-settings.ts). */
  readonly push?: PushSettings | undefined;
  /** Several instances on one store (docs/scaling.md); undefined: a single instance. */
  readonly cluster?: ClusterSettings | undefined;
}
