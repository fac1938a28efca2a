/** The [Web] settings of `missive serve` (see serve-settings.ts): the web port (HTTP API, SIP over WebSocket) and the admin API. */
import {
  DEFAULT_TOKEN_BLOCK_SECONDS,
  DEFAULT_TOKEN_FAILURE_WINDOW_SECONDS,
  DEFAULT_TOKEN_MAX_FAILURES,
} from '../../web/failure-gate.js';
import { DEFAULT_PAGE_BYTES } from '../../web/page-budget.js';
import { DEFAULT_SYLKRTC_SETTINGS as SYLKRTC } from '../../web/sylkrtc/settings.js';
import { DEFAULT_TOKEN_FAILURE_LOG_SECONDS } from '../../web/token-failure-log.js';
import {
  atLeast,
  flag,
  httpUrl,
  listOf,
  optional,
  pageBytes,
  portOrOff,
  rate,
  seconds,
  text,
} from '../setting-values.js';
import { setting } from './setting-spec.js';

export const WEB_SETTINGS = {
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
  webClient: setting({
    section: 'Web',
    kind: flag,
    default: true,
    help: 'serve the web chat at /chat/ on the web port (npm run build:web builds it)',
  }),
  webTlsCertificate: setting({
    section: 'Web',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_certificate',
    help: 'PEM certificate and chain for HTTPS and wss on the web port, instead of tls_certificate',
    path: true,
    reloads: true,
  }),
  webTlsPrivateKey: setting({
    section: 'Web',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_private_key',
    help: 'PEM private key of web_tls_certificate',
    path: true,
    reloads: true,
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
  xcapUrl: setting({
    section: 'Web',
    kind: optional(httpUrl),
    default: undefined,
    defaultText: "missive's store",
    help: "address books on this XCAP server's REST API (SylkServer: xcap_url) instead of missive's store",
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
} as const;
