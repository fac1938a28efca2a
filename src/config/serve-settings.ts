/**
 * Every setting of `missive serve`, once. The command-line options (`--sip-port`), the configuration file's
 * keys (`[SIP] sip_port`), the environment variables (`MISSIVE_SIP_PORT`), the help, the defaults and
 * `missive config check` are all derived from this table, so none of them can fall out of step.
 */
import type { LevelWithSilent } from 'pino';
import {
  DEFAULT_LOGIN_COOLDOWN_SECONDS,
  DEFAULT_LOGIN_MAX_ENTRIES,
  DEFAULT_LOGIN_WINDOW_SECONDS,
  DEFAULT_PAIR_MAX_FAILURES,
  DEFAULT_SOURCE_MAX_FAILURES,
} from '../auth/login-limiter.js';
import { DEFAULT_MESSAGE_LIMITS } from '../messaging/limits/message-limits.js';
import { DEFAULT_CONNECTION_LIMITS as LIMITS } from '../sip/transport/connection-limits.js';
import { DEFAULT_MAX_SERVER_TRANSACTIONS } from '../sip/transaction/limits.js';
import {
  DEFAULT_TOKEN_BLOCK_SECONDS,
  DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS,
  DEFAULT_TOKEN_MAX_FAILURES,
} from '../web/failure-gate.js';
import { DEFAULT_PAGE_BYTES } from '../web/page-budget.js';
import { DEFAULT_SYLKRTC_SETTINGS as SYLKRTC } from '../web/sylkrtc/settings.js';
import { DEFAULT_TOKEN_FAILURE_LOG_SECONDS } from '../web/token-failure-log.js';
import {
  atLeast,
  cidr,
  days,
  domainName,
  flag,
  httpUrl,
  LOG_LEVELS,
  listOf,
  logLevel,
  optional,
  pageBytes,
  port,
  portOrOff,
  rate,
  seconds,
  sipUri,
  text,
  type ValueKind,
} from './setting-values.js';

/** The configuration file's sections, one per part of missive, in the order `config check` prints them. */
export const SECTIONS = [
  'General',
  'SIP',
  'Web',
  'Messaging',
  'Push',
  'FileTransfer',
  'Relay',
  'Storage',
] as const;

export type SectionName = (typeof SECTIONS)[number];

export interface SettingSpec<T> {
  readonly section: SectionName;
  readonly kind: ValueKind<T>;
  readonly default: T;
  readonly help: string;
  /** What help says the default is, when the value alone would not tell (a derived default). */
  readonly defaultText?: string;
  /** From a file or the environment only: never on the command line (`ps` shows it), never printed. */
  readonly secret?: boolean;
  /** For a part missive does not have yet: accepted, and reported as such by `config check`. */
  readonly notUsedYet?: boolean;
  /** A path: relative to the file it is written in (from the command line or a variable: to the working directory). */
  readonly path?: boolean;
  /** Opens a listening port: a taken port names this setting (cli/listen-error.ts). */
  readonly listens?: string;
}

const setting = <T>(spec: SettingSpec<T>): SettingSpec<T> => spec;

export const SERVE_SETTINGS = {
  // [General]: what missive serves and where it keeps its data.
  domain: setting({
    section: 'General',
    kind: listOf(domainName),
    default: ['localhost'],
    help: 'the SIP domains served; the first is the MSRP relay host name and the test account domain',
  }),
  dataDir: setting({
    section: 'General',
    kind: text('dir'),
    default: '.missive',
    help: 'where generated keys and data are kept (in a file: relative to the file)',
    path: true,
  }),
  host: setting({
    section: 'General',
    kind: text('ip'),
    default: '127.0.0.1',
    help: 'the address to listen on',
  }),
  advertise: setting({
    section: 'General',
    kind: optional(text('host')),
    default: undefined,
    defaultText: 'the host',
    help: 'the address written into Via and Record-Route',
  }),
  debug: setting({ section: 'General', kind: flag, default: false, help: 'log at debug level' }),
  logLevel: setting<LevelWithSilent | undefined>({
    section: 'General',
    kind: optional(logLevel),
    default: undefined,
    defaultText: 'info, or debug with debug',
    help: `log level: ${LOG_LEVELS.join(', ')}`,
  }),

  // [SIP]: the registrar and proxy, and the limits on what reaches them.
  sipPort: setting({
    section: 'SIP',
    kind: portOrOff,
    default: 5060,
    help: 'SIP over UDP and TCP (-1: off)',
    listens: 'SIP over UDP and TCP',
  }),
  sipsPort: setting({
    section: 'SIP',
    kind: portOrOff,
    default: 5061,
    help: 'SIP over TLS (-1: off)',
    listens: 'SIP over TLS',
  }),
  trustedPeer: setting({
    section: 'SIP',
    kind: listOf(cidr),
    default: [],
    help: 'sources whose requests need no authentication (a proxy in front of missive)',
  }),
  outboundProxy: setting({
    section: 'SIP',
    kind: optional(sipUri),
    default: undefined,
    help: "behind a proxy: the SIP proxy (a trusted peer) that forks MESSAGEs to missive with X-Sylk-App and carries the server's own",
  }),
  maxTransactions: setting({
    section: 'SIP',
    kind: atLeast(1, 'count'),
    default: DEFAULT_MAX_SERVER_TRANSACTIONS,
    help: 'SIP server transactions kept at most (live, and completed ones absorbing retransmissions); new requests beyond it get 503 with Retry-After',
  }),
  maxConnections: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: LIMITS.maxConnections,
    help: 'inbound TCP, TLS and WebSocket connections (web port included) open at once',
  }),
  maxConnectionsPerSource: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: LIMITS.maxConnectionsPerSource,
    help: 'of those, from one source address (an IPv6 /64); more are closed at once',
  }),
  maxOutboundConnections: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: LIMITS.maxOutboundConnections,
    help: 'TCP and TLS connections missive opens itself, open at once (apart from the inbound ones)',
  }),
  handshakeTimeout: setting({
    section: 'SIP',
    kind: seconds,
    default: LIMITS.handshakeTimeoutMs / 1000,
    help: 'a new connection must finish its TLS handshake, or send its HTTP request / WebSocket upgrade, within this',
  }),
  firstRequestTimeout: setting({
    section: 'SIP',
    kind: seconds,
    default: LIMITS.firstRequestTimeoutMs / 1000,
    help: 'a SIP connection that has sent no complete request this long after it opened is closed',
  }),
  messageTimeout: setting({
    section: 'SIP',
    kind: seconds,
    default: LIMITS.messageTimeoutMs / 1000,
    help: 'a SIP message (on WebSocket, a frame) must arrive whole within this of its first byte',
  }),
  idleTimeout: setting({
    section: 'SIP',
    kind: seconds,
    default: LIMITS.idleTimeoutMs / 1000,
    help: 'a SIP connection with no traffic (CRLF keep-alives count) for this long is closed',
  }),
  loginPairMaxFailures: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: DEFAULT_PAIR_MAX_FAILURES,
    help: 'failed logins (SIP, MSRP) for one account from one source, within the window, that block that pair',
  }),
  loginSourceMaxFailures: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: DEFAULT_SOURCE_MAX_FAILURES,
    help: 'failed logins from one source (IPv4 address, IPv6 /64) over all accounts, within the window, that block it',
  }),
  loginFailureWindow: setting({
    section: 'SIP',
    kind: seconds,
    default: DEFAULT_LOGIN_WINDOW_SECONDS,
    help: 'the window failed logins are counted in',
  }),
  loginCooldown: setting({
    section: 'SIP',
    kind: seconds,
    default: DEFAULT_LOGIN_COOLDOWN_SECONDS,
    help: 'how long a login block lasts',
  }),
  loginMaxEntries: setting({
    section: 'SIP',
    kind: atLeast(1),
    default: DEFAULT_LOGIN_MAX_ENTRIES,
    help: 'sources and pairs the failed-login limiter remembers, per table',
  }),

  // [Web]: the web port (HTTP API, SIP over WebSocket) and the admin API.
  wsPort: setting({
    section: 'Web',
    kind: portOrOff,
    default: 10888,
    help: 'the web port: HTTP API and SIP over WebSocket (-1: off)',
    listens: 'the web port (HTTP API and SIP over WebSocket)',
  }),
  webTls: setting({
    section: 'Web',
    kind: flag,
    default: false,
    help: 'serve HTTPS and wss on the web port, with the server certificate',
  }),
  publicUrl: setting({
    section: 'Web',
    kind: optional(httpUrl),
    default: undefined,
    defaultText: 'the web port as served, http[s]://HOST:PORT',
    help: 'base URL of the HTTP API, as token replies announce it',
  }),
  maxPageBytes: setting({
    section: 'Web',
    kind: pageBytes,
    default: DEFAULT_PAGE_BYTES,
    help: 'largest HTTP history/journal page body; a single larger entry is still sent alone',
  }),
  tokenMaxFailures: setting({
    section: 'Web',
    kind: atLeast(1),
    default: DEFAULT_TOKEN_MAX_FAILURES,
    help: 'failed history/journal API token checks from one source (an IPv4 address, an IPv6 /64) that make it wait',
  }),
  tokenFailureWindow: setting({
    section: 'Web',
    kind: seconds,
    default: DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS,
    help: 'the time those failures must fall within',
  }),
  tokenBlockSeconds: setting({
    section: 'Web',
    kind: seconds,
    default: DEFAULT_TOKEN_BLOCK_SECONDS,
    help: 'how long such a source is answered 429 (Retry-After) without its token being checked',
  }),
  tokenFailureLogInterval: setting({
    section: 'Web',
    kind: seconds,
    default: DEFAULT_TOKEN_FAILURE_LOG_SECONDS,
    help: 'failed token checks are logged as one summary per source per interval',
  }),
  webOrigin: setting({
    section: 'Web',
    kind: listOf(text('origin')),
    default: ['*'],
    help: 'Origins allowed to open the sylkRTC WebSocket API, * a wildcard',
  }),
  wsPingInterval: setting({
    section: 'Web',
    kind: seconds,
    default: SYLKRTC.pingIntervalSeconds,
    help: 'sylkRTC API: seconds between WebSocket pings; no pong within half of it closes the connection',
  }),
  wsMaxFrameBytes: setting({
    section: 'Web',
    kind: atLeast(4096),
    default: SYLKRTC.maxFrameBytes,
    help: 'sylkRTC API: largest request frame (up to twice this: an error; beyond: the connection is closed)',
  }),
  wsRequestRate: setting({
    section: 'Web',
    kind: rate,
    default: SYLKRTC.requestsPerSecond,
    help: 'sylkRTC API: frames per second one connection may keep sending; faster: an error',
  }),
  wsRequestBurst: setting({
    section: 'Web',
    kind: atLeast(1),
    default: SYLKRTC.requestBurst,
    help: 'sylkRTC API: frames one connection may send at once before ws_request_rate applies',
  }),
  wsMaxAccounts: setting({
    section: 'Web',
    kind: atLeast(1),
    default: SYLKRTC.maxAccounts,
    help: 'sylkRTC API: accounts one connection may add',
  }),
  wsLoginTimeout: setting({
    section: 'Web',
    kind: seconds,
    default: SYLKRTC.loginTimeoutSeconds,
    help: 'sylkRTC API: a connection with no registered account this long after it opened is closed',
  }),
  adminPort: setting({
    section: 'Web',
    kind: portOrOff,
    default: -1,
    help: 'admin API on 127.0.0.1 (-1: off)',
    listens: 'the admin API',
  }),
  adminSecret: setting({
    section: 'Web',
    kind: optional(text('secret')),
    default: undefined,
    defaultText: '<data dir>/admin-secret, made on first use',
    help: "the admin API's Authorization value",
    secret: true,
  }),

  // [Messaging]: what one sender and one account may store.
  maxMessageBytes: setting({
    section: 'Messaging',
    kind: atLeast(1024, 'bytes'),
    default: DEFAULT_MESSAGE_LIMITS.maxMessageBytes,
    help: 'largest MESSAGE body (and decoded content) accepted for a local account; larger: 413',
  }),
  messageRate: setting({
    section: 'Messaging',
    kind: rate,
    default: DEFAULT_MESSAGE_LIMITS.messagesPerSecond,
    help: 'MESSAGEs per second one sender may keep sending; faster: 403 Too Many Messages',
  }),
  messageBurst: setting({
    section: 'Messaging',
    kind: atLeast(1),
    default: DEFAULT_MESSAGE_LIMITS.messageBurst,
    help: 'MESSAGEs one sender may send at once before message-rate applies',
  }),
  journalMaxEntries: setting({
    section: 'Messaging',
    kind: atLeast(1),
    default: DEFAULT_MESSAGE_LIMITS.journalMaxEntries,
    help: "most entries in one account's journal; a message beyond: 480 (recipient) or 403 (sender)",
  }),
  journalMaxBytes: setting({
    section: 'Messaging',
    kind: atLeast(1024, 'bytes'),
    default: DEFAULT_MESSAGE_LIMITS.journalMaxBytes,
    help: "most content bytes in one account's journal, as journal-max-entries",
  }),
  retentionDays: setting({
    section: 'Messaging',
    kind: days,
    default: 365,
    help: 'purge journal entries older than this (0: keep for ever)',
  }),

  // [Push] and [FileTransfer]: SylkServer's keys for parts missive does not have yet.
  pushUrl: setting({
    section: 'Push',
    kind: optional(httpUrl),
    default: undefined,
    help: "the push server's URL (SylkServer's sylk_push_url)",
    notUsedYet: true,
  }),
  fileTransferDir: setting({
    section: 'FileTransfer',
    kind: optional(text('dir')),
    default: undefined,
    help: 'where uploaded files are kept (SylkServer: file_transfer_dir)',
    path: true,
    notUsedYet: true,
  }),
  fileTransferExpireDays: setting({
    section: 'FileTransfer',
    kind: atLeast(1, 'days'),
    default: 15,
    help: 'uploaded files are removed after this many days (SylkServer: filetransfer_expire_days)',
    notUsedYet: true,
  }),

  // [Relay]: the MSRP relay inside `serve` (`missive relay` alone reads msrprelay's config.ini).
  msrpPort: setting({
    section: 'Relay',
    kind: port,
    default: 2855,
    help: 'MSRP relay port (TLS)',
    listens: 'the MSRP relay',
  }),

  // [Storage]
  store: setting({
    section: 'Storage',
    kind: optional(text('uri')),
    default: undefined,
    defaultText: '<data dir>/missive.db',
    help: 'sqlite:///path/file.db or postgresql://user@host/db',
  }),
} as const;

export type ServeSettingName = keyof typeof SERVE_SETTINGS;

export type ServeSettings = {
  readonly [K in ServeSettingName]: (typeof SERVE_SETTINGS)[K] extends SettingSpec<infer T> ? T : never;
};

export const SERVE_SETTING_NAMES = Object.keys(SERVE_SETTINGS) as ServeSettingName[];

/** `sipPort` → `sip_port`, the key in the configuration file. */
export function iniKey(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `sipPort` → `--sip-port`. */
export function optionFlag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** `sipPort` → `MISSIVE_SIP_PORT`. */
export function environmentVariable(name: string): string {
  return `MISSIVE_${iniKey(name).toUpperCase()}`;
}

/** The setting whose key is `key` (in any section), if any. */
export function settingOfKey(key: string): ServeSettingName | undefined {
  return SERVE_SETTING_NAMES.find((name) => iniKey(name) === key);
}

/** The setting's spec, typed loosely for code that handles every setting alike. */
export function specOf(name: ServeSettingName): SettingSpec<unknown> {
  return SERVE_SETTINGS[name] as SettingSpec<unknown>;
}
