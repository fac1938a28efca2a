/**
 * The one composition root of `missive serve`: every part built and wired here, started in order and
 * stopped in order. Start: the metrics endpoint when configured (first, so that /ready answers 503 for the
 * whole start; server/readiness.ts), the certificates (server/certificates.ts) and the admin secret (a secret
 * file that must not be used stops the start before anything listens), the store, the SIP service with the messaging service inside it (the
 * messaging service sends through routing's outbound interface, so it is made from the SIP service's parts),
 * the web port, SIP listening, retention, the admin API, the MSRP relay. Stop: the relay, SIP, the web port,
 * retention and the admin API, then the store they all used; a graceful stop first lets the SIP transactions
 * in progress finish. SIGHUP's new settings are applied by reconfigure.ts. SIP and the relay share one failed-login
 * limiter (auth/login-limiter.ts): a guess over MSRP costs the same as one over SIP. One prom-client
 * registry for the process (server/metrics/server-metrics.ts): the parts get small observers, never it.
 */
import { ClusterMembership } from './cluster.js';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
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
import { rotateNonceKeyFile } from '../sip/auth/nonce-key-file.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { ensureSelfSignedCertificate } from '../tls/self-signed.js';
import { systemClock } from '../time/clock.js';
import { loadAdminSecret } from '../web/admin-secret.js';
import { storeAnswers } from '../web/health.js';
import { startMetricsServer } from '../web/metrics-server.js';
import { banner, certificateFacts, TEST_USER } from './banner.js';
import { CertificateError, loadCertificates } from './certificates.js';
import { listenerTls, reconfigure } from './reconfigure.js';
import { countedLoginGate } from './metrics/counted-login-gate.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { timedStore } from './metrics/timed-store.js';
import { Readiness } from './readiness.js';
import type { Running } from './running.js';
import {
  type AdminAddress,
  fileTransfersOf,
  msrpFileEndpointOf,
  relayOf,
  startAdmin,
  startRetention,
  startWeb,
} from './parts.js';
import type { ServerSettings } from './settings.js';
import { SipService } from './sip-service.js';
import { startPush } from './push.js';
import { PushDeviceWaker } from '../push/device-waker.js';
import { RegisteredPushTokens } from '../push/registered-tokens.js';
import type { PushStatsSnapshot } from '../push/push-stats.js';

/** The SIP nonce key of this process; the previous one's nonces are answered stale (sip/auth/nonce.ts). */
const NONCE_KEY_FILE = 'sip-nonce.key';

export class MissiveServer {
  /** What `missive serve` prints once everything listens. */
  readonly banner: string;
  readonly logger: Logger;
  #running: Running;

  private constructor(running: Running, bannerText: string, logger: Logger) {
    this.#running = running;
    this.banner = bannerText;
    this.logger = logger;
  }

  /** The messaging service, for adapters started later (the WebSocket API). */
  get messaging(): MessagingService {
    return this.#running.messaging.service;
  }

  /** The push dispatcher's counters (sent, failed, retried, dropped, tokens removed, by provider), for metrics. */
  pushStats(): PushStatsSnapshot {
    return this.#running.push.pushStats();
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
    const loaded = await loadCertificates(
      settings.tls,
      () => ensureSelfSignedCertificate(dataDir, domain),
      domain,
      new Date(systemClock.now()),
    );
    if (!loaded.ok) throw new CertificateError(loaded.problems);
    for (const warning of loaded.value.warnings) logger.warn({ warning }, 'TLS certificate');
    const tls = listenerTls(loaded.value);
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
    const nonceKeys = await rotateNonceKeyFile(join(dataDir, NONCE_KEY_FILE));
    const loginLimiter = new LoginLimiter(systemClock, settings.login, logger);
    const push = startPush(settings.push, store, logger);
    const cluster =
      settings.cluster === undefined
        ? undefined
        : ClusterMembership.of(settings.cluster, store, systemClock, logger);
    // The live-sync (WebSocket) devices subscribe here, per authenticated account; push events go to dispatch.
    const subscriptions = new AccountSubscriptions({
      logger,
      onPush: push.onMessagePush,
      onMessageDelivered: () => {
        metrics.deliveredOverWebSocket();
      },
      fanout: cluster?.events,
    });
    metrics.addPushStats(() => push.pushStats());
    const files = fileTransfersOf(settings.fileTransfer, logger);
    const msrpFiles = msrpFileEndpointOf(settings, logger);
    let messaging: Messaging | undefined;
    const sip = new SipService({
      store,
      domains: settings.domains.length > 0 ? settings.domains : [domain],
      host: settings.sip.host,
      advertisedHost: settings.sip.advertise,
      listen: settings.sip.listen,
      tls: tls.sip.serverOptions(),
      trustedPeers: settings.sip.trustedPeers,
      loginLimiter: countedLoginGate(loginLimiter, () => {
        metrics.loginFailed('sip');
      }),
      traffic: metrics.sip,
      nonceKeys,
      maxTransactions: settings.sip.maxTransactions,
      deviceWaker: new PushDeviceWaker(push, logger),
      // SIP devices' push parameters become stored tokens (RFC 8599; sylk spec §3.9), as sylkRTC's do.
      registrationListener: new RegisteredPushTokens(store.pushTokens, systemClock),
      wakeTimeoutMs: settings.push?.wakeTimeoutMs,
      connectionLimits: settings.sip.connectionLimits,
      cluster,
      messaging: (environment) => {
        messaging = createMessaging(
          {
            store,
            subscriptions,
            outboundProxy: settings.messaging.outboundProxy,
            publicUrl: settings.messaging.publicUrl,
            limits: settings.messaging.limits,
            xcapUrl: settings.messaging.xcapUrl,
            fileTransferExpireDays: settings.fileTransfer.expireDays,
            files: files.store,
            msrpFiles: msrpFiles === undefined ? undefined : { endpoint: msrpFiles, store: files.store },
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
            tls.web.serverOptions(),
            {
              loginGate: countedLoginGate(loginLimiter, () => {
                metrics.loginFailed('sylkrtc');
              }),
              messaging: messaging.service,
              domains: settings.domains,
              upstream: messaging.upstreamRegistration,
            },
            {
              files: files.store,
              publicUrl: settings.messaging.publicUrl,
              expireDays: settings.fileTransfer.expireDays,
              requireDownloadToken: settings.fileTransfer.requireDownloadToken,
              messaging: messaging.service,
            },
            logger,
            {
              ready: () => readiness.ready(),
              onRequest: (route, status) => {
                metrics.httpRequest(route, status);
              },
            },
          );
    await cluster?.start((event) => {
      subscriptions.emitFromElsewhere(event);
    });
    const points = await sip.start();
    if (msrpFiles !== undefined)
      logger.info(await msrpFiles.start(), 'MSRP file-transfer endpoint listening');
    if (web !== undefined) points.push(web.point);
    for (const point of points) logger.info(point, 'SIP listening');
    const retention = startRetention(settings.retentionDays, store, logger);
    const admin =
      adminSecret === undefined || settings.admin === undefined
        ? undefined
        : await startAdmin(settings.admin.port, adminSecret, store, logger);
    const relayFiles = loaded.value.relay.pair.files;
    const relay = relayOf(
      settings,
      domain,
      relayFiles,
      tls.relay.serverOptions().SNICallback,
      store,
      countedLoginGate(loginLimiter, () => {
        metrics.loginFailed('msrp');
      }),
      logger,
    );
    // The relay's series keep the names of `missive relay`'s own /metrics (msrp/relay/metrics.ts).
    metrics.addText(() => renderRelayMetrics(relay.snapshot()));
    const relayAddress = await relay.start();
    logger.info(
      { host: relayAddress.host, port: relayAddress.port, tls: true, hostname: domain },
      'MSRP relay listening',
    );
    const text = banner({
      domain,
      points,
      webUrl: web?.url,
      webChat: web?.webChat === true,
      admin: admin?.address satisfies AdminAddress | undefined,
      msrpPort: relayAddress.port,
      certificates: certificateFacts(loaded.value, settings.web?.tls === true),
      password,
    });
    files.expiry.start();
    const webService = web?.service;
    metrics.addScrapeSources({
      serverTransactions: () => sip.transactions.serverTransactions,
      clientTransactions: () => sip.transactions.clientTransactions,
      connectionsByTransport: () => sip.transports.connections.countByProtocol(),
      bindings: () => store.locations.count(),
      sylkRtcConnections: () => webService?.sylkRtcConnections ?? 0,
    });
    readiness.started(() => storeAnswers(store.storageAccounts, systemClock));
    const running = {
      settings,
      domain,
      tls,
      logger,
      store,
      sip,
      messaging,
      web: webService,
      retention,
      admin: admin?.service,
      relay,
      push,
      fileExpiry: files.expiry,
      readiness,
      metricsEndpoint,
      msrpFiles,
      cluster,
    };
    return new MissiveServer(running, text, logger);
  }

  /**
   * Applies what SIGHUP's new settings can change in a running server (reconfigure.ts); rejects with a
   * CertificateError, or the relay's RelayStartupError, and changes nothing when they cannot be used.
   */
  async reconfigure(settings: ServerSettings): Promise<void> {
    this.#running = await reconfigure(this.#running, settings);
  }

  /**
   * Stops every part, then closes the store they used. Given a grace period, first takes no new connection,
   * answers new requests 503 and waits (at most that long) for the SIP transactions in progress.
   */
  async stop(graceMs = 0): Promise<void> {
    const {
      relay,
      sip,
      web,
      retention,
      admin,
      store,
      push,
      fileExpiry,
      readiness,
      metricsEndpoint,
      msrpFiles,
      cluster,
    } = this.#running;
    readiness.stopping();
    if (graceMs > 0) {
      web?.stopListening();
      const left = await sip.drain(graceMs);
      if (left > 0)
        this.logger.warn({ transactions: left, graceMs }, 'stopping with transactions in progress');
    }
    await Promise.all([
      relay.stop(),
      sip.stop(),
      web?.stop(),
      retention?.stop(),
      admin?.stop(),
      fileExpiry.stop(),
      msrpFiles?.stop(),
    ]);
    // After SIP and the web port: no new push events; what is left ends (a removal may still use the store).
    await push.close();
    await cluster?.stop();
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}
