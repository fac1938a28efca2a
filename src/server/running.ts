/** What a started `missive serve` holds: its parts, and the settings they run with (reconfigure.ts changes some). */
import type { Server } from 'node:http';
import type { MsrpFileEndpoint } from '../msrp/endpoint/file-endpoint.js';
import type { Logger } from 'pino';
import type { ExpirySweep } from '../files/expiry-sweep.js';
import type { Messaging } from '../messaging/create.js';
import type { MsrpRelay } from '../msrp/relay/relay.js';
import type { PushDispatcher } from '../push/dispatcher.js';
import type { RetentionPurger } from '../store/journal/retention.js';
import type { Store } from '../store/store.js';
import type { AdminService } from '../web/admin-service.js';
import type { WebService } from '../web/web-service.js';
import type { ServerCertificates } from '../tls/server-certificates.js';
import type { ClusterMembership } from './cluster.js';
import type { Readiness } from './readiness.js';
import type { ServerSettings } from './settings.js';
import type { SipService } from './sip-service.js';

/** What each TLS listener presents (its SNI callback reads it on every handshake). */
export interface ListenerTls {
  readonly sip: ServerCertificates;
  readonly web: ServerCertificates;
  readonly relay: ServerCertificates;
}

export interface Running {
  readonly settings: ServerSettings;
  /** The relay's host name and the self-signed certificate's: the first domain at the start. */
  readonly domain: string;
  readonly tls: ListenerTls;
  readonly logger: Logger;
  readonly store: Store;
  readonly sip: SipService;
  readonly messaging: Messaging;
  readonly web: WebService | undefined;
  readonly retention: RetentionPurger | undefined;
  readonly admin: AdminService | undefined;
  readonly relay: MsrpRelay;
  readonly push: PushDispatcher;
  readonly fileExpiry: ExpirySweep;
  /** 503 on /ready from the first step of a stop (readiness.ts). */
  readonly readiness: Readiness;
  /** The /metrics and /ready endpoint, when on. */
  readonly metricsEndpoint: Server | undefined;
  /** missive's MSRP endpoint for files sent in an INVITE; undefined when off. */
  readonly msrpFiles?: MsrpFileEndpoint | undefined;
  /** Several instances on one store; undefined for a single instance. */
  readonly cluster?: ClusterMembership | undefined;
}
