/** The [SIP] settings of `missive serve` (see serve-settings.ts): the registrar and proxy, and the limits on what reaches them. */
import {
  DEFAULT_LOGIN_COOLDOWN_SECONDS,
  DEFAULT_LOGIN_MAX_ENTRIES,
  DEFAULT_LOGIN_WINDOW_SECONDS,
  DEFAULT_PAIR_MAX_FAILURES,
  DEFAULT_SOURCE_MAX_FAILURES,
} from '../../auth/login-limiter.js';
import { DEFAULT_MAX_SERVER_TRANSACTIONS } from '../../sip/transaction/limits.js';
import { DEFAULT_CONNECTION_LIMITS as LIMITS } from '../../sip/transport/connection-limits.js';
import { atLeast, cidr, listOf, optional, portOrOff, seconds, sipUri, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const SIP_SETTINGS = {
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
  sipTlsCertificate: setting({
    section: 'SIP',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_certificate',
    help: 'PEM certificate and chain for SIP over TLS, instead of tls_certificate',
    path: true,
    reloads: true,
  }),
  sipTlsPrivateKey: setting({
    section: 'SIP',
    kind: optional(text('file')),
    default: undefined,
    defaultText: 'tls_private_key',
    help: 'PEM private key of sip_tls_certificate',
    path: true,
    reloads: true,
  }),
  trustedPeer: setting({
    section: 'SIP',
    kind: listOf(cidr),
    default: [],
    help: 'sources whose requests need no authentication (a proxy in front of missive)',
    reloads: true,
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
} as const;
