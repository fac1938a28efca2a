/**
 * The one composition root of `missive serve`: every part built and wired here, started in order and
 * stopped in order. Start: the metrics endpoint when configured (first, so that /ready answers 503 for the
 * whole start; server/readiness.ts), the certificate and the admin secret (a secret file that must not be used stops
 * the start before anything listens), the store, the SIP service with the messaging service inside it (the
 * messaging service sends through routing's outbound interface, so it is made from the SIP service's parts),
 * the web port, SIP listening, retention, the admin API, the MSRP relay. Stop: the relay, SIP, the web port,
 * retention and the admin API, then the store they all used. SIP and the relay share one failed-login
 * limiter (auth/login-limiter.ts): a guess over MSRP costs the same as one over SIP. One prom-client
 * registry for the process (server/metrics/server-metrics.ts): the parts get small observers, never it.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { LoginLimiter } from '../auth/login-limiter.js';
import { createLogger } from '../log/logger.js';
import { createMessaging, type Messaging } from '../messaging/create.js';
import type { MessagingService } from '../messaging/service.js';
import { AccountSubscriptions } from '../messaging/subscriptions.js';
import { renderRelayMetrics } from '../msrp/relay/metrics.js';
import type { MsrpRelay } from '../msrp/relay/relay.js';
import { rotateNonceKeyFile } from '../sip/auth/nonce-key-file.js';
import type { RetentionPurger } from '../store/journal/retention.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { ensureSelfSignedCertificate } from '../tls/self-signed.js';
import { systemClock } from '../time/clock.js';
import { loadAdminSecret } from '../web/admin-secret.js';
import type { AdminService } from '../web/admin-service.js';
import { storeAnswers } from '../web/health.js';
import { startMetricsServer } from '../web/metrics-server.js';
import type { WebService } from '../web/web-service.js';
import { banner, TEST_USER } from './banner.js';
import { type AdminAddress, relayOf, startAdmin, startRetention, startWeb } from './parts.js';
import { countedLoginGate } from './metrics/counted-login-gate.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { timedStore } from './metrics/timed-store.js';
import { Readiness } from './readiness.js';
import type { ServerSettings } from './settings.js';
import { SipService } from './sip-service.js';

/** The SIP nonce key of this process; the previous one's nonces are answered stale (sip/auth/nonce.ts). */
const NONCE_KEY_FILE = 'sip-nonce.key';

interface Running {
  readonly store: Store;
  readonly sip: SipService;
  readonly messaging: Messaging;
  readonly web: WebService | undefined;
  readonly retention: RetentionPurger | undefined;
  readonly admin: AdminService | undefined;
  readonly relay: MsrpRelay;
  readonly readiness: Readiness;
  /** The /metrics and /ready endpoint, when on. */
  readonly metricsEndpoint: Server | undefined;
}

export class MissiveServer {
  /** What `missive serve` prints once everything listens. */
  readonly banner: string;
  readonly logger: Logger;
  readonly #running: Running;

  private constructor(running: Running, bannerText: string, logger: Logger) {
    this.#running = running;
    this.banner = bannerText;
    this.logger = logger;
  }

  /** The messaging service, for adapters started later (the WebSocket API). */
  get messaging(): MessagingService {
    return this.#running.messaging.service;
  }

  /** Builds and starts every part; rejects (with nothing left listening) on a configuration error. */
  static async start(settings: ServerSettings): Promise<MissiveServer> {
    const logger = createLogger(settings.logLevel, 'missive', settings.logFormat);
    // One registry for the process, made here and passed down: nothing registers in prom-client's global one.
    const metrics = new ServerMetrics(new Registry());
    // 503 until every listener is up, and again from the start of the stop (readiness.ts).
    const readiness = new Readiness();
    // Before everything else: /ready answers 503 while the rest starts.
    const metricsEndpoint =
      settings.metrics === undefined
        ? undefined
        : await startMetricsServer(settings.metrics.host, settings.metrics.port, {
            render: () => metrics.render(),
            contentType: metrics.registry.contentType,
            ready: () => readiness.ready(),
            onError: (error) => {
              logger.error({ err: error }, 'metrics not rendered');
            },
          });
    if (metricsEndpoint !== undefined && settings.metrics !== undefined)
      logger.info({ host: settings.metrics.host, port: metricsEndpoint.port }, 'metrics listening');
    try {
      return await MissiveServer.#startParts(settings, logger, metrics, readiness, metricsEndpoint?.server);
    } catch (error) {
      if (metricsEndpoint !== undefined) await closeServer(metricsEndpoint.server);
      throw error;
    }
  }

  /** Everything but the metrics endpoint, in order. */
  static async #startParts(
    settings: ServerSettings,
    logger: Logger,
    metrics: ServerMetrics,
    readiness: Readiness,
    metricsEndpoint: Server | undefined,
  ): Promise<MissiveServer> {
    if (settings.messaging.limits !== undefined) logger.info(settings.messaging.limits, 'message limits');
    const dataDir = resolve(settings.dataDir);
    const domain = settings.domains[0] ?? 'localhost';
    const certificate = await ensureSelfSignedCertificate(dataDir, domain);
    const adminSecret =
      settings.admin === undefined ? undefined : await loadAdminSecret(dataDir, settings.admin.secret);
    if (adminSecret?.source === 'file' && adminSecret.created)
      logger.info({ file: adminSecret.path }, 'admin API secret generated');
    const store = timedStore(
      await openStore(settings.storeUri),
      (operation, seconds) => {
        metrics.storage(operation, seconds);
      },
      () => performance.now(),
    );
    const password = await ensureTestAccount(store, domain);
    const pems = await certificatePems(certificate);
    const nonceKeys = await rotateNonceKeyFile(join(dataDir, NONCE_KEY_FILE));
    const loginLimiter = new LoginLimiter(systemClock, settings.login, logger);
    // The live-sync (WebSocket) devices subscribe here, per authenticated account.
    const subscriptions = new AccountSubscriptions({
      logger,
      onMessageDelivered: () => {
        metrics.deliveredOverWebSocket();
      },
    });
    const relay = relayOf(
      settings,
      domain,
      certificate,
      store,
      countedLoginGate(loginLimiter, () => {
        metrics.loginFailed('msrp');
      }),
      logger,
    );
    // The relay's series keep the names of `missive relay`'s own /metrics (msrp/relay/metrics.ts).
    metrics.addText(() => renderRelayMetrics(relay.snapshot()));
    let messaging: Messaging | undefined;
    const sip = new SipService({
      store,
      domains: settings.domains.length > 0 ? settings.domains : [domain],
      host: settings.sip.host,
      advertisedHost: settings.sip.advertise,
      listen: settings.sip.listen,
      tls: pems,
      trustedPeers: settings.sip.trustedPeers,
      loginLimiter: countedLoginGate(loginLimiter, () => {
        metrics.loginFailed('sip');
      }),
      traffic: metrics.sip,
      nonceKeys,
      maxTransactions: settings.sip.maxTransactions,
      connectionLimits: settings.sip.connectionLimits,
      messaging: (environment) => {
        messaging = createMessaging(
          {
            store,
            subscriptions,
            outboundProxy: settings.messaging.outboundProxy,
            publicUrl: settings.messaging.publicUrl,
            limits: settings.messaging.limits,
            logger,
            outcomes: metrics.messages,
          },
          environment,
        );
        return messaging.sip;
      },
      logger,
    });
    if (messaging === undefined) throw new Error('the SIP service made no messaging service');
    const web =
      settings.web === undefined
        ? undefined
        : await startWeb(
            settings.web,
            settings.sip.host,
            settings.sip.connectionLimits,
            store,
            sip,
            pems,
            {
              loginGate: countedLoginGate(loginLimiter, () => {
                metrics.loginFailed('sylkrtc');
              }),
              messaging: messaging.service,
              domains: settings.domains,
            },
            logger,
            {
              ready: () => readiness.ready(),
              onRequest: (route, status) => {
                metrics.httpRequest(route, status);
              },
            },
          );
    const points = await sip.start();
    if (web !== undefined) points.push(web.point);
    for (const point of points) logger.info(point, 'SIP listening');
    const retention = startRetention(settings.retentionDays, store, logger);
    const admin =
      adminSecret === undefined || settings.admin === undefined
        ? undefined
        : await startAdmin(settings.admin.port, adminSecret, store, logger);
    const relayAddress = await relay.start();
    logger.info(
      { host: relayAddress.host, port: relayAddress.port, tls: true, hostname: domain },
      'MSRP relay listening',
    );
    const text = banner({
      domain,
      points,
      webUrl: settings.web?.url,
      admin: admin?.address satisfies AdminAddress | undefined,
      msrpPort: relayAddress.port,
      certificate: certificate.certificate,
      password,
    });
    const webService = web?.service;
    metrics.addScrapeSources({
      serverTransactions: () => sip.transactions.serverTransactions,
      clientTransactions: () => sip.transactions.clientTransactions,
      connectionsByTransport: () => sip.transports.connections.countByProtocol(),
      bindings: () => store.locations.count(),
      sylkRtcConnections: () => webService?.sylkRtcConnections ?? 0,
    });
    // PUSH METRICS: the lead wires the push dispatcher's snapshot here, once it is built above:
    //   metrics.addPushStats(() => pushDispatcher.pushStats());
    readiness.started(() => storeAnswers(store.storageAccounts, systemClock));
    const running = {
      store,
      sip,
      messaging,
      web: webService,
      retention,
      admin: admin?.service,
      relay,
      readiness,
      metricsEndpoint,
    };
    return new MissiveServer(running, text, logger);
  }

  /** Stops every part, then closes the store they used. */
  async stop(): Promise<void> {
    const { relay, sip, web, retention, admin, store, readiness, metricsEndpoint } = this.#running;
    readiness.stopping();
    await Promise.all([relay.stop(), sip.stop(), web?.stop(), retention?.stop(), admin?.stop()]);
    await store.close();
    if (metricsEndpoint !== undefined) await closeServer(metricsEndpoint);
  }
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
  const [cert, key] = await Promise.all([readFile(files.certificate), readFile(files.key)]);
  return { cert, key };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}
