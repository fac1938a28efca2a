/** `missive serve`'s options on the command line, and their mapping to ServeOptions (serve-command.ts). */
import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import {
  DEFAULT_LOGIN_COOLDOWN_SECONDS,
  DEFAULT_LOGIN_MAX_ENTRIES,
  DEFAULT_LOGIN_WINDOW_SECONDS,
  DEFAULT_PAIR_MAX_FAILURES,
  DEFAULT_SOURCE_MAX_FAILURES,
} from '../auth/login-limiter.js';
import {
  DEFAULT_TOKEN_BLOCK_SECONDS,
  DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS,
  DEFAULT_TOKEN_MAX_FAILURES,
} from '../web/failure-gate.js';
import { DEFAULT_MESSAGE_LIMITS } from '../messaging/limits/message-limits.js';
import { DEFAULT_CONNECTION_LIMITS as LIMITS } from '../sip/transport/connection-limits.js';
import { DEFAULT_PAGE_BYTES } from '../web/page-budget.js';
import { DEFAULT_TOKEN_FAILURE_LOG_SECONDS } from '../web/token-failure-log.js';
import { DEFAULT_SYLKRTC_SETTINGS as SYLKRTC } from '../web/sylkrtc/settings.js';
import { DEFAULT_MAX_SERVER_TRANSACTIONS } from '../sip/transaction/limits.js';

import {
  atLeast,
  collect,
  days,
  LOG_LEVELS,
  logLevel,
  pageBytes,
  port,
  portOrOff,
  rate,
  seconds,
} from './option-values.js';

interface ServeCliOptions {
  dataDir: string;
  store?: string;
  domain: string[];
  host: string;
  advertise?: string;
  sipPort: number;
  sipsPort: number;
  wsPort: number;
  msrpPort: number;
  trustedPeer: string[];
  outboundProxy?: string;
  publicUrl?: string;
  debug: boolean;
  retentionDays: number;
  webTls: boolean;
  adminPort: number;
  maxPageBytes: number;
  maxMessageBytes: number;
  messageRate: number;
  messageBurst: number;
  journalMaxEntries: number;
  journalMaxBytes: number;
  tokenMaxFailures: number;
  tokenFailureWindow: number;
  tokenBlockSeconds: number;
  tokenFailureLogInterval: number;
  maxTransactions: number;
  maxConnections: number;
  maxConnectionsPerSource: number;
  maxOutboundConnections: number;
  handshakeTimeout: number;
  firstRequestTimeout: number;
  messageTimeout: number;
  idleTimeout: number;
  logLevel?: LevelWithSilent;
  loginPairMaxFailures: number;
  loginSourceMaxFailures: number;
  loginFailureWindow: number;
  loginCooldown: number;
  loginMaxEntries: number;
  webOrigin: string[];
  wsPingInterval: number;
  wsMaxFrameBytes: number;
  wsRequestRate: number;
  wsRequestBurst: number;
  wsMaxAccounts: number;
  wsLoginTimeout: number;
}

/** Adds `serve` to the program. */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run missive on this machine: SIP registrar and proxy, and the MSRP relay')
    .option('--data-dir <dir>', 'where generated keys and data are kept', '.missive')
    .option(
      '--store <uri>',
      'sqlite:///path/file.db or postgresql://user@host/db (default: <data dir>/missive.db)',
    )
    .option('--domain <domain>', 'a SIP domain served (repeat for several)', collect, [])
    .option('--host <ip>', 'the address to listen on', '127.0.0.1')
    .option('--advertise <host>', 'the address written into Via and Record-Route (default: --host)')
    .option('--sip-port <port>', 'SIP over UDP and TCP (-1: off)', portOrOff, 5060)
    .option('--sips-port <port>', 'SIP over TLS (-1: off)', portOrOff, 5061)
    .option('--ws-port <port>', 'the web port: HTTP API and SIP over WebSocket (-1: off)', portOrOff, 10888)
    .option('--web-tls', 'serve HTTPS and wss on the web port, with the server certificate', false)
    .option('--retention-days <days>', 'purge journal entries older than this (0: keep for ever)', days, 365)
    .option('--msrp-port <port>', 'MSRP relay port (TLS)', port, 2855)
    .option(
      '--max-page-bytes <bytes>',
      'largest HTTP history/journal page body; a single larger entry is still sent alone',
      pageBytes,
      DEFAULT_PAGE_BYTES,
    )
    .option(
      '--max-message-bytes <bytes>',
      'largest MESSAGE body (and decoded content) accepted for a local account; larger: 413',
      atLeast(1024),
      DEFAULT_MESSAGE_LIMITS.maxMessageBytes,
    )
    .option(
      '--message-rate <per-second>',
      'MESSAGEs per second one sender may keep sending; faster: 403 Too Many Messages',
      rate,
      DEFAULT_MESSAGE_LIMITS.messagesPerSecond,
    )
    .option(
      '--message-burst <n>',
      'MESSAGEs one sender may send at once before --message-rate applies',
      atLeast(1),
      DEFAULT_MESSAGE_LIMITS.messageBurst,
    )
    .option(
      '--journal-max-entries <n>',
      "most entries in one account's journal; a message beyond: 480 (recipient) or 403 (sender)",
      atLeast(1),
      DEFAULT_MESSAGE_LIMITS.journalMaxEntries,
    )
    .option(
      '--journal-max-bytes <bytes>',
      "most content bytes in one account's journal, as --journal-max-entries",
      atLeast(1024),
      DEFAULT_MESSAGE_LIMITS.journalMaxBytes,
    )
    .option(
      '--token-max-failures <n>',
      'failed history/journal API token checks from one source (an IPv4 address, an IPv6 /64) that make it wait',
      atLeast(1),
      DEFAULT_TOKEN_MAX_FAILURES,
    )
    .option(
      '--token-failure-window <seconds>',
      'the time those failures must fall within',
      seconds,
      DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS,
    )
    .option(
      '--token-block-seconds <seconds>',
      'how long such a source is answered 429 (Retry-After) without its token being checked',
      seconds,
      DEFAULT_TOKEN_BLOCK_SECONDS,
    )
    .option(
      '--token-failure-log-interval <seconds>',
      'failed token checks are logged as one summary per source per interval',
      seconds,
      DEFAULT_TOKEN_FAILURE_LOG_SECONDS,
    )
    .option(
      '--max-transactions <count>',
      'SIP server transactions kept at most (live, and completed ones absorbing retransmissions); new requests beyond it get 503 with Retry-After',
      atLeast(1),
      DEFAULT_MAX_SERVER_TRANSACTIONS,
    )
    .option(
      '--admin-port <port>',
      'admin API on 127.0.0.1 (-1: off); its secret is $MISSIVE_ADMIN_SECRET, else <data dir>/admin-secret (made on first use)',
      portOrOff,
      -1,
    )
    .option(
      '--max-connections <n>',
      'inbound TCP, TLS and WebSocket connections (web port included) open at once',
      atLeast(1),
      LIMITS.maxConnections,
    )
    .option(
      '--max-connections-per-source <n>',
      'of those, from one source address (an IPv6 /64); more are closed at once',
      atLeast(1),
      LIMITS.maxConnectionsPerSource,
    )
    .option(
      '--max-outbound-connections <n>',
      'TCP and TLS connections missive opens itself, open at once (apart from the inbound ones)',
      atLeast(1),
      LIMITS.maxOutboundConnections,
    )
    .option(
      '--handshake-timeout <seconds>',
      'a new connection must finish its TLS handshake, or send its HTTP request / WebSocket upgrade, within this',
      seconds,
      LIMITS.handshakeTimeoutMs / 1000,
    )
    .option(
      '--first-request-timeout <seconds>',
      'a SIP connection that has sent no complete request this long after it opened is closed',
      seconds,
      LIMITS.firstRequestTimeoutMs / 1000,
    )
    .option(
      '--message-timeout <seconds>',
      'a SIP message (on WebSocket, a frame) must arrive whole within this of its first byte',
      seconds,
      LIMITS.messageTimeoutMs / 1000,
    )
    .option(
      '--idle-timeout <seconds>',
      'a SIP connection with no traffic (CRLF keep-alives count) for this long is closed',
      seconds,
      LIMITS.idleTimeoutMs / 1000,
    )
    .option(
      '--trusted-peer <cidr>',
      'a source whose requests need no authentication (repeatable)',
      collect,
      [],
    )
    .option(
      '--login-pair-max-failures <n>',
      'failed logins (SIP, MSRP) for one account from one source, within the window, that block that pair',
      atLeast(1),
      DEFAULT_PAIR_MAX_FAILURES,
    )
    .option(
      '--login-source-max-failures <n>',
      'failed logins from one source (IPv4 address, IPv6 /64) over all accounts, within the window, that block it',
      atLeast(1),
      DEFAULT_SOURCE_MAX_FAILURES,
    )
    .option(
      '--login-failure-window <seconds>',
      'the window failed logins are counted in',
      seconds,
      DEFAULT_LOGIN_WINDOW_SECONDS,
    )
    .option(
      '--login-cooldown <seconds>',
      'how long a login block lasts',
      seconds,
      DEFAULT_LOGIN_COOLDOWN_SECONDS,
    )
    .option(
      '--login-max-entries <n>',
      'sources and pairs the failed-login limiter remembers, per table',
      atLeast(1),
      DEFAULT_LOGIN_MAX_ENTRIES,
    )
    .option(
      '--web-origin <pattern>',
      'an Origin allowed to open the sylkRTC WebSocket API, * a wildcard (repeatable; default: any)',
      collect,
      [],
    )
    .option(
      '--ws-ping-interval <seconds>',
      'sylkRTC API: seconds between WebSocket pings; no pong within half of it closes the connection',
      seconds,
      SYLKRTC.pingIntervalSeconds,
    )
    .option(
      '--ws-max-frame-bytes <bytes>',
      'sylkRTC API: largest request frame (larger, up to twice this: an error; beyond: the connection is closed)',
      atLeast(4096),
      SYLKRTC.maxFrameBytes,
    )
    .option(
      '--ws-request-rate <per-second>',
      'sylkRTC API: frames (requests, or anything else) per second one connection may keep sending; faster: an error, and a burst beyond it closes the connection',
      rate,
      SYLKRTC.requestsPerSecond,
    )
    .option(
      '--ws-request-burst <n>',
      'sylkRTC API: frames one connection may send at once before --ws-request-rate applies',
      atLeast(1),
      SYLKRTC.requestBurst,
    )
    .option(
      '--ws-max-accounts <n>',
      'sylkRTC API: accounts one connection may add',
      atLeast(1),
      SYLKRTC.maxAccounts,
    )
    .option(
      '--ws-login-timeout <seconds>',
      'sylkRTC API: a connection with no registered account this long after it opened is closed',
      seconds,
      SYLKRTC.loginTimeoutSeconds,
    )
    .option(
      '--outbound-proxy <uri>',
      "behind a proxy: the SIP proxy (a trusted peer) that forks MESSAGEs to missive with X-Sylk-App and carries the server's own",
    )
    .option(
      '--public-url <url>',
      'base URL of the HTTP API, as token replies announce it (default: the web port as served, http[s]://HOST:PORT)',
    )
    .option('--debug', 'log at debug level', false)
    .option(
      '--log-level <level>',
      `log level: ${LOG_LEVELS.join(', ')} (default info, or debug with --debug)`,
      logLevel,
    )
    .action(async (options: ServeCliOptions) => {
      const { runServeCommand } = await import('./serve-command.js');
      const { AdminSecretError } = await import('../web/admin-secret.js');
      const adminSecret = process.env.MISSIVE_ADMIN_SECRET;
      const ms = (value: number): number => Math.round(value * 1000);
      try {
        await runServeCommand({
          ...options,
          messageLimits: {
            maxMessageBytes: options.maxMessageBytes,
            messagesPerSecond: options.messageRate,
            messageBurst: options.messageBurst,
            journalMaxEntries: options.journalMaxEntries,
            journalMaxBytes: options.journalMaxBytes,
          },
          connectionLimits: {
            maxConnections: options.maxConnections,
            maxConnectionsPerSource: options.maxConnectionsPerSource,
            maxOutboundConnections: options.maxOutboundConnections,
            handshakeTimeoutMs: ms(options.handshakeTimeout),
            firstRequestTimeoutMs: ms(options.firstRequestTimeout),
            messageTimeoutMs: ms(options.messageTimeout),
            idleTimeoutMs: ms(options.idleTimeout),
          },
          sylkRtc: {
            webOrigins: options.webOrigin.length > 0 ? options.webOrigin : ['*'],
            pingIntervalSeconds: options.wsPingInterval,
            maxFrameBytes: options.wsMaxFrameBytes,
            requestsPerSecond: options.wsRequestRate,
            requestBurst: options.wsRequestBurst,
            maxAccounts: options.wsMaxAccounts,
            loginTimeoutSeconds: options.wsLoginTimeout,
          },
          domain: options.domain.length > 0 ? options.domain : ['localhost'],
          adminSecret: adminSecret === undefined || adminSecret === '' ? undefined : adminSecret,
        });
      } catch (error) {
        // An admin secret file that must not be used stops the start (before anything listens), with what to do.
        if (!(error instanceof AdminSecretError)) throw error;
        process.stderr.write(`missive serve: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}
