/**
 * `missive serve`: everything on one machine with embedded defaults: the SIP registrar and proxy (UDP and TCP
 * on 5060, TLS on 5061), the web port 10888 (HTTP history API and SIP over WebSocket on one server; HTTPS
 * and wss with --web-tls), and the MSRP relay on 2855 (TLS), over one store (SQLite in the data directory
 * unless --store says otherwise) and one certificate (self-signed and generated when missing). Journal
 * entries older than the retention period are purged hourly. A first start on an empty store creates a
 * test account and prints its password. SIP and the relay share one failed-login limiter (auth/login-limiter.ts).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { LevelWithSilent, Logger } from 'pino';
import { type LoginLimits, LoginLimiter } from '../auth/login-limiter.js';
import { createLogger } from '../log/logger.js';
import { messagingFactory } from '../messaging/create.js';
import { AccountSubscriptions } from '../messaging/subscriptions.js';
import type { MessageLimits } from '../messaging/limits/message-limits.js';
import { MsrpRelay } from '../msrp/relay/relay.js';
import { DEFAULT_RELAY_SETTINGS } from '../msrp/relay/settings.js';
import type { ListeningPoint } from '../routing/local-addresses.js';
import { SipService, type SipListen } from '../server/sip-service.js';
import { rotateNonceKeyFile } from '../sip/auth/nonce-key-file.js';
import type { ConnectionLimits } from '../sip/transport/connection-limits.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { ensureSelfSignedCertificate } from '../tls/self-signed.js';
import { systemClock } from '../time/clock.js';
import { type AdminSecret, loadAdminSecret } from '../web/admin-secret.js';
import { AdminService } from '../web/admin-service.js';
import { RetentionPurger } from '../store/journal/retention.js';
import { WebService } from '../web/web-service.js';
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
  readonly debug: boolean;
  /** Journal entries older than this many days are purged; 0 keeps them for ever. Default 365. */
  readonly retentionDays?: number | undefined;
  /** The web port serves HTTPS and wss with the server certificate. */
  readonly webTls?: boolean | undefined;
  /** The admin API on 127.0.0.1:adminPort (spec §4.5); undefined or -1: off. */
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
  /** Failed-login limits shared by SIP and MSRP (auth/login-limiter.ts); each defaults there. */
  readonly loginPairMaxFailures?: number | undefined;
  readonly loginSourceMaxFailures?: number | undefined;
  readonly loginFailureWindow?: number | undefined;
  readonly loginCooldown?: number | undefined;
  readonly loginMaxEntries?: number | undefined;
}

/** The SIP nonce key of this process; the previous one's nonces are answered stale (sip/auth/nonce.ts). */
const NONCE_KEY_FILE = 'sip-nonce.key';

const DAY_MS = 24 * 3600 * 1000;

const TEST_USER = 'test';

export async function runServeCommand(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel ?? (options.debug ? 'debug' : 'info'));
  if (options.messageLimits !== undefined) logger.info(options.messageLimits, 'message limits');
  const domain = options.domain[0] ?? 'localhost';
  const certificate = await ensureSelfSignedCertificate(resolve(options.dataDir), domain);
  // Before anything listens: a secret file that must not be used stops the start.
  const adminSecret =
    options.adminPort === undefined || options.adminPort < 0
      ? undefined
      : await loadAdminSecret(resolve(options.dataDir), options.adminSecret);
  if (adminSecret?.source === 'file' && adminSecret.created) {
    logger.info({ file: adminSecret.path }, 'admin API secret generated');
  }
  const store = await openStore(await storeUri(options.store, options.dataDir, true));
  const password = await ensureTestAccount(store, domain);
  const pems = await certificatePems(certificate);
  const nonceKeys = await rotateNonceKeyFile(join(resolve(options.dataDir), NONCE_KEY_FILE));
  const loginLimiter = new LoginLimiter(systemClock, loginLimits(options), logger);
  // The live-sync (WebSocket) devices subscribe here, per authenticated account.
  const subscriptions = new AccountSubscriptions({ logger });
  const sip = new SipService({
    store,
    domains: options.domain.length > 0 ? options.domain : [domain],
    host: options.host,
    advertisedHost: options.advertise,
    listen: listenList(options),
    tls: pems,
    trustedPeers: options.trustedPeer,
    loginLimiter,
    nonceKeys,
    maxTransactions: options.maxTransactions,
    connectionLimits: options.connectionLimits,
    messaging: messagingFactory({
      store,
      subscriptions,
      outboundProxy: options.outboundProxy,
      publicUrl: options.publicUrl ?? servedUrl(options),
      limits: options.messageLimits,
      logger,
    }),
    logger,
  });
  const web = options.wsPort < 0 ? undefined : await startWeb(options, store, sip, pems, logger);
  const points = await sip.start();
  if (web !== undefined) points.push(web.point);
  for (const point of points) logger.info(point, 'SIP listening');
  const retention = startRetention(options, store, logger);
  const admin =
    adminSecret === undefined || options.adminPort === undefined
      ? undefined
      : await startAdmin(options.adminPort, adminSecret, store, logger);
  const relay = startRelay(options, domain, certificate, store, loginLimiter, logger);
  const relayAddress = await relay.start();
  logger.info(
    { host: relayAddress.host, port: relayAddress.port, tls: true, hostname: domain },
    'MSRP relay listening',
  );
  process.stdout.write(
    banner(
      domain,
      points,
      web === undefined ? undefined : servedUrl(options),
      admin?.address,
      relayAddress.port,
      certificate.certificate,
      password,
    ),
  );

  const stop = (): void => {
    Promise.all([relay.stop(), sip.stop(), web?.service.stop(), retention?.stop(), admin?.service.stop()])
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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

/** The web port: HTTP routes and SIP over WebSocket on one server (the SIP point it serves). */
async function startWeb(
  options: ServeOptions,
  store: Store,
  sip: SipService,
  pems: { cert: Buffer; key: Buffer },
  logger: Logger,
): Promise<{ service: WebService; point: ListeningPoint }> {
  const tokenFailures = {
    maxFailures: options.tokenMaxFailures,
    windowSeconds: options.tokenFailureWindow,
    blockSeconds: options.tokenBlockSeconds,
    logIntervalSeconds: options.tokenFailureLogInterval,
  };
  const service = new WebService({
    store,
    clock: systemClock,
    host: options.host,
    port: options.wsPort,
    sip: sip.transports,
    // One count of inbound connections for SIP and the web port: per source and in total.
    inbound: sip.transports.inbound,
    handshakeTimeoutMs: options.connectionLimits?.handshakeTimeoutMs,
    tls: options.webTls === true ? pems : undefined,
    logger,
    maxPageBytes: options.maxPageBytes,
    tokenFailures,
  });
  const address = await service.start();
  const { host, port, secure: tls } = address;
  logger.info({ host, port, tls, maxPageBytes: options.maxPageBytes, tokenFailures }, 'web listening');
  return { service, point: sip.addSharedWebSocket(address.secure ? 'wss' : 'ws', address.port) };
}

/** Where the banner and the log say the secret is: its file, or the variable that set it; never the secret. */
function secretLocation(secret: AdminSecret): string {
  return secret.source === 'file' ? secret.path : '$MISSIVE_ADMIN_SECRET';
}

async function startAdmin(
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
  const address = { host, port, secretIn: secretLocation(secret) };
  logger.info(address, 'admin API listening');
  return { service, address };
}

interface AdminAddress {
  readonly host: string;
  readonly port: number;
  /** Where the secret is (secretLocation). */
  readonly secretIn: string;
}

function startRetention(options: ServeOptions, store: Store, logger: Logger): RetentionPurger | undefined {
  const days = options.retentionDays ?? 365;
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

function startRelay(
  options: ServeOptions,
  hostname: string,
  certificate: { certificate: string; key: string },
  store: Store,
  loginLimiter: LoginLimiter,
  logger: Logger,
): MsrpRelay {
  return new MsrpRelay({
    settings: {
      ...DEFAULT_RELAY_SETTINGS,
      address: { host: options.host, port: options.msrpPort },
      hostname,
      certificate: certificate.certificate,
      key: certificate.key,
      backend: 'memory',
      logLevel: options.debug ? 'debug' : 'info',
      // The relay checks the SIP accounts' passwords: it must not tell which accounts exist.
      uniformAuthFailures: true,
    },
    credentials: store.subscribers.credentials,
    // The SIP side's limiter: a guess over MSRP costs the same as one over SIP.
    loginLimiter,
    logger,
  });
}

function loginLimits(options: ServeOptions): LoginLimits {
  return {
    pairMaxFailures: options.loginPairMaxFailures,
    sourceMaxFailures: options.loginSourceMaxFailures,
    windowSeconds: options.loginFailureWindow,
    cooldownSeconds: options.loginCooldown,
    maxEntries: options.loginMaxEntries,
  };
}

/** Creates test@domain with a random password when the store has no subscriber at all; the password, if so. */
async function ensureTestAccount(store: Store, domain: string): Promise<string | undefined> {
  if ((await store.subscribers.list()).length > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  await store.subscribers.add(TEST_USER, domain, password);
  return password;
}

async function certificatePems(files: {
  certificate: string;
  key: string;
}): Promise<{ cert: Buffer; key: Buffer }> {
  const { readFile } = await import('node:fs/promises');
  const [cert, key] = await Promise.all([readFile(files.certificate), readFile(files.key)]);
  return { cert, key };
}

function banner(
  domain: string,
  points: readonly { transport: string; host: string; port: number }[],
  webUrl: string | undefined,
  admin: AdminAddress | undefined,
  msrpPort: number,
  certificate: string,
  password: string | undefined,
): string {
  const lines = ['', `missive is serving SIP domain ${domain}:`];
  for (const point of points)
    lines.push(`  SIP ${point.transport.toUpperCase()} on ${point.host}:${String(point.port)}`);
  if (webUrl !== undefined) lines.push(`  HTTP API (message history) on ${webUrl}/webrtcgateway/`);
  if (admin !== undefined) {
    const authority = admin.host.includes(':') ? `[${admin.host}]` : admin.host;
    lines.push(
      `  Admin API on http://${authority}:${String(admin.port)}/tokens/ (Authorization: the secret in ${admin.secretIn})`,
    );
  }
  lines.push(
    `  MSRP relay on msrps://${domain}:${String(msrpPort)};tcp (self-signed certificate in ${certificate})`,
  );
  if (password === undefined) {
    lines.push('Accounts: `npx tsx src/cli/main.ts user list` (add one with `user add NAME@DOMAIN`)');
  } else {
    lines.push(
      `Test account created: ${TEST_USER}@${domain}  password: ${password}`,
      'Try the relay from another terminal:',
      `  npx tsx src/cli/main.ts relay-check 'msrps://${domain}:${String(msrpPort)};tcp' ${TEST_USER} ${password} --insecure`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
