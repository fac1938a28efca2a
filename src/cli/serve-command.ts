/**
 * `missive serve`: everything on one machine with embedded defaults: the SIP registrar and proxy (UDP and TCP
 * on 5060, TLS on 5061), the web port 10888 (HTTP history API and SIP over WebSocket on one server; HTTPS
 * and wss with --web-tls), and the MSRP relay on 2855 (TLS), over one store (SQLite in the data directory
 * unless --store says otherwise) and the operator's certificates (shared, per listener, by SNI; self-signed
 * and generated when none is given: server/certificates.ts). Journal
 * entries older than the retention period are purged hourly. A first start on an empty store creates a
 * test account and prints its password. This file only turns the options into the server's settings:
 * src/server/missive-server.ts builds, starts and stops everything.
 */
import { join } from 'node:path';
import type { LevelWithSilent } from 'pino';
import type { LogFormat } from '../log/logger.js';
import type { MessageLimits } from '../messaging/limits/message-limits.js';
import { MissiveServer } from '../server/missive-server.js';
import type { ServerTlsSettings, TlsFileSettings } from '../server/certificates.js';
import type { ServerSettings } from '../server/settings.js';
import { iniKey, type ServeSettingName, specOf } from '../config/serve-settings.js';
import { handleSignals, type Reload } from '../server/signals.js';
import type { SipListen } from '../server/sip-service.js';
import type { PushSettings } from '../push/push-settings.js';
import type { ConnectionLimits } from '../sip/transport/connection-limits.js';
import type { SylkRtcSettings } from '../web/sylkrtc/settings.js';
import { storeUri } from './store-location.js';

export interface ServeOptions {
  readonly dataDir: string;
  readonly store?: string | undefined;
  /** SIP domains; the first is the relay's hostname and the test account's domain. */
  readonly domain: readonly string[];
  readonly host: string;
  readonly advertise?: string | undefined;
  readonly sipPort: number;
  readonly sipsPort: number;
  readonly wsPort: number;
  readonly msrpPort: number;
  readonly trustedPeer: readonly string[];
  /** Behind-proxy mode for the messaging application (see src/messaging/create.ts). */
  readonly outboundProxy?: string | undefined;
  readonly publicUrl?: string | undefined;
  /** sylk spec §1.4.13: address books on this XCAP server instead of missive's store. */
  readonly xcapUrl?: string | undefined;
  readonly debug: boolean;
  /** Journal entries older than this many days are purged; 0 keeps them for ever. Default 365. */
  readonly retentionDays?: number | undefined;
  /** [Cluster]: several instances on one store. */
  readonly instanceId?: string | undefined;
  readonly instanceAddress?: string | undefined;
  readonly instanceHeartbeat?: number | undefined;
  readonly instanceDeadAfter?: number | undefined;
  /** The web port serves HTTPS and wss with the server certificate. */
  readonly webTls?: boolean | undefined;
  /** The web chat at /chat/ on the web port; default on. */
  readonly webClient?: boolean | undefined;
  /** The admin API on 127.0.0.1:adminPort (sylk spec §4.5); undefined or -1: off. */
  readonly adminPort?: number | undefined;
  /**
   * The admin API's required Authorization value (from MISSIVE_ADMIN_SECRET, never the command line);
   * undefined: the one in the data directory, generated on the first start (web/admin-secret.ts).
   */
  readonly adminSecret?: string | undefined;
  /** The HTTP history and journal pages' byte budget; default 8 MiB (web/page-budget.ts). */
  readonly maxPageBytes?: number | undefined;
  /** Message body size, per-sender rate and per-account journal quota (src/messaging/limits/). */
  readonly messageLimits?: Partial<MessageLimits> | undefined;
  /** Failed history/journal API token checks per source: the limit and its summaries (web/failure-gate.ts). */
  readonly tokenMaxFailures?: number | undefined;
  readonly tokenFailureWindow?: number | undefined;
  readonly tokenBlockSeconds?: number | undefined;
  readonly tokenFailureLogInterval?: number | undefined;
  /** Server transactions kept at most; beyond it new requests get 503 (src/sip/transaction/transaction-layer.ts). */
  readonly maxTransactions?: number | undefined;
  /** Limits on TCP, TLS and WebSocket connections, the web port's included (defaults: TransportLayer's). */
  readonly connectionLimits?: ConnectionLimits | undefined;
  /** Overrides --debug: e.g. `warn` for a benchmark, where an info line per start is all it logs. */
  readonly logLevel?: LevelWithSilent | undefined;
  /** json, pretty, or auto (pretty on a terminal). */
  readonly logFormat?: LogFormat | undefined;
  /** Prometheus /metrics and /ready on metricsHost:metricsPort; undefined or -1: off. */
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
  /** Failed-login limits shared by SIP and MSRP (auth/login-limiter.ts); each defaults there. */
  readonly loginPairMaxFailures?: number | undefined;
  readonly loginSourceMaxFailures?: number | undefined;
  readonly loginFailureWindow?: number | undefined;
  readonly loginCooldown?: number | undefined;
  readonly loginMaxEntries?: number | undefined;
  /** The sylkRTC WebSocket API's origins and limits (web/sylkrtc/settings.ts); its SIP domains are --domain's. */
  readonly sylkRtc?: Partial<SylkRtcSettings> | undefined;
  /** Push providers and dispatch (src/push/); default: no provider. */
  readonly push?: PushSettings | undefined;
  /** PEM files (server/certificates.ts): shared, per listener, and the SNI directory. */
  readonly tlsCertificate?: string | undefined;
  readonly tlsPrivateKey?: string | undefined;
  readonly tlsSniDir?: string | undefined;
  readonly sipTlsCertificate?: string | undefined;
  readonly sipTlsPrivateKey?: string | undefined;
  readonly webTlsCertificate?: string | undefined;
  readonly webTlsPrivateKey?: string | undefined;
  readonly msrpTlsCertificate?: string | undefined;
  readonly msrpTlsPrivateKey?: string | undefined;
  /** `[Relay] share_next_hop_connections`: one connection per next hop for its sessions. */
  readonly shareNextHopConnections?: boolean | undefined;
  /** On SIGTERM or SIGINT, seconds for transactions in progress to finish. Default 10. */
  readonly stopTimeout?: number | undefined;
  /** Uploaded files (src/files/): their directory (default DATA_DIR/file_transfers), expiry and limits. */
  readonly fileTransferDir?: string | undefined;
  readonly fileTransferExpireDays?: number | undefined;
  readonly fileTransferMaxBytes?: number | undefined;
  readonly fileTransferQuotaBytes?: number | undefined;
  readonly fileTransferDownloadToken?: boolean | undefined;
  readonly fileTransferMsrpPort?: number | undefined;
  readonly fileTransferMsrpIdleSeconds?: number | undefined;
}

/** Starts the server; `reload` reads the configuration again on SIGHUP (server/signals.ts). */
export async function runServeCommand(options: ServeOptions, reload?: () => Promise<Reload>): Promise<void> {
  const settings = await serverSettings(options);
  const server = await MissiveServer.start(settings);
  process.stdout.write(server.banner);
  handleSignals(server, { stopGraceMs: Math.round(settings.stopTimeoutSeconds * 1000), reload });
}

/** The server's settings from the command line's options. */
export async function serverSettings(options: ServeOptions): Promise<ServerSettings> {
  const domains = options.domain.length > 0 ? options.domain : ['localhost'];
  const webUrl = servedUrl(options);
  return {
    dataDir: options.dataDir,
    storeUri: await storeUri(options.store, options.dataDir, true),
    domains,
    logLevel: options.logLevel ?? (options.debug ? 'debug' : 'info'),
    tls: tlsSettings(options),
    stopTimeoutSeconds: options.stopTimeout ?? 10,
    logFormat: options.logFormat,
    metrics:
      options.metricsPort === undefined || options.metricsPort < 0
        ? undefined
        : { host: options.metricsHost ?? '127.0.0.1', port: options.metricsPort },
    sip: {
      host: options.host,
      advertise: options.advertise,
      listen: listenList(options),
      trustedPeers: options.trustedPeer,
      maxTransactions: options.maxTransactions,
      connectionLimits: options.connectionLimits,
    },
    messaging: {
      outboundProxy: options.outboundProxy,
      publicUrl: options.publicUrl ?? webUrl,
      limits: options.messageLimits,
      xcapUrl: options.xcapUrl,
    },
    web:
      options.wsPort < 0
        ? undefined
        : {
            port: options.wsPort,
            tls: options.webTls === true,
            url: webUrl,
            maxPageBytes: options.maxPageBytes,
            tokenFailures: {
              maxFailures: options.tokenMaxFailures,
              windowSeconds: options.tokenFailureWindow,
              blockSeconds: options.tokenBlockSeconds,
              logIntervalSeconds: options.tokenFailureLogInterval,
            },
            sylkRtc: options.sylkRtc,
            webClient: options.webClient !== false,
          },
    admin:
      options.adminPort === undefined || options.adminPort < 0
        ? undefined
        : { port: options.adminPort, secret: options.adminSecret },
    relay: {
      port: options.msrpPort,
      debug: options.debug,
      shareNextHopConnections: options.shareNextHopConnections === true,
    },
    fileTransfer: {
      dir: options.fileTransferDir ?? join(options.dataDir, 'file_transfers'),
      expireDays: options.fileTransferExpireDays ?? 15,
      maxFileBytes: options.fileTransferMaxBytes ?? 1024 * 1024 * 1024,
      quotaBytes: options.fileTransferQuotaBytes ?? 10 * 1024 * 1024 * 1024,
      requireDownloadToken: options.fileTransferDownloadToken === true,
      msrp:
        (options.fileTransferMsrpPort ?? 0) < 0
          ? undefined
          : {
              port: options.fileTransferMsrpPort ?? 0,
              idleSeconds: options.fileTransferMsrpIdleSeconds ?? 60,
            },
    },
    retentionDays: options.retentionDays ?? 365,
    push: options.push,
    cluster:
      options.instanceId === undefined
        ? undefined
        : {
            id: options.instanceId,
            address: options.instanceAddress,
            heartbeatMs: Math.round((options.instanceHeartbeat ?? 5) * 1000),
            deadAfterMs: Math.round((options.instanceDeadAfter ?? 30) * 1000),
          },
    login: {
      pairMaxFailures: options.loginPairMaxFailures,
      sourceMaxFailures: options.loginSourceMaxFailures,
      windowSeconds: options.loginFailureWindow,
      cooldownSeconds: options.loginCooldown,
      maxEntries: options.loginMaxEntries,
    },
  };
}

/** Each listener's certificate settings, named as the configuration file names them. */
export function tlsSettings(options: ServeOptions): ServerTlsSettings {
  const files = (certificate: ServeSettingName, key: ServeSettingName): TlsFileSettings => ({
    certificate: options[certificate as keyof ServeOptions] as string | undefined,
    key: options[key as keyof ServeOptions] as string | undefined,
    certificateSetting: settingLabel(certificate),
    keySetting: settingLabel(key),
  });
  return {
    shared: files('tlsCertificate', 'tlsPrivateKey'),
    sip: files('sipTlsCertificate', 'sipTlsPrivateKey'),
    web: files('webTlsCertificate', 'webTlsPrivateKey'),
    relay: files('msrpTlsCertificate', 'msrpTlsPrivateKey'),
    sniDir: options.tlsSniDir,
    sniSetting: settingLabel('tlsSniDir'),
  };
}

/** `[SIP] sip_tls_certificate`: how the file and `config check` name a setting. */
function settingLabel(name: ServeSettingName): string {
  return `[${specOf(name).section}] ${iniKey(name)}`;
}

/** The web port's own URL: what clients reach when nothing in front of missive rewrites it. */
function servedUrl(options: ServeOptions): string {
  const host = options.advertise ?? options.host;
  const authority = host.includes(':') ? `[${host}]` : host;
  return `${options.webTls === true ? 'https' : 'http'}://${authority}:${String(options.wsPort)}`;
}

function listenList(options: ServeOptions): SipListen[] {
  const list: SipListen[] = [];
  if (options.sipPort >= 0)
    list.push({ transport: 'udp', port: options.sipPort }, { transport: 'tcp', port: options.sipPort });
  if (options.sipsPort >= 0) list.push({ transport: 'tls', port: options.sipsPort });
  return list;
}
