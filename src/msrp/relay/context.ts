/** What every relay connection shares: the configuration generation it was accepted under, and relay state. */
import type { Logger } from 'pino';
import type { DeadlineQueue } from '../../time/deadline-queue.js';
import type { Clock } from '../../time/clock.js';
import type { TransactionIds } from '../transaction-ids.js';
import type { Authenticator } from './authenticator.js';
import type { Connection } from './connection.js';
import type { Session } from './session.js';
import type { RelaySettings } from './settings.js';
import type { RelayStats } from './stats.js';

/** Fixed for the connections accepted under one configuration; a reload makes a new one. */
export interface RelayRuntime {
  readonly settings: RelaySettings;
  readonly authenticator: Authenticator;
  /** Host name put in Use-Path URIs. */
  readonly hostname: string;
  /** Port put in Use-Path URIs: the port actually listened on. */
  readonly port: number;
  readonly secure: boolean;
  /** Credentials presented on outbound msrps connections, and the CAs to verify them with. */
  readonly tls: { readonly key: Buffer; readonly cert: Buffer; readonly ca: Buffer | undefined } | undefined;
}

/** Lives as long as the process, across reloads. */
export interface RelayState {
  readonly clock: Clock;
  readonly deadlines: DeadlineQueue;
  readonly tids: TransactionIds;
  readonly unbound: Map<string, Session>;
  readonly connections: Set<Connection>;
  readonly stats: RelayStats;
  readonly logger: Logger;
}
