/** What every relay connection shares: the configuration generation it was accepted under, and relay state. */
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { DeadlineQueue } from '../../time/deadline-queue.js';
import type { Clock } from '../../time/clock.js';
import type { MsrpUri } from '../uri.js';
import type { TransactionIds } from '../transaction-ids.js';
import type { AuthHandler } from './auth-handler.js';
import type { KeptPath } from './kept-path.js';
import type { LiveConnection, RelayPeer } from './peer.js';
import type { Session } from './session.js';
import type { RelaySettings } from './settings.js';
import type { RelayStats } from './stats.js';
import type { TlsSessionCache } from './tls-sessions.js';
import type { UnboundSessions } from './unbound-sessions.js';

/** Fixed for the connections accepted under one configuration; a reload makes a new one. */
export interface RelayRuntime {
  readonly settings: RelaySettings;
  readonly auth: AuthHandler;
  /**
   * For outbound msrps connections: the relay's own certificate as client credentials and the CAs to verify
   * next hops with, built once (building one per connection cost more than the rest of a session setup).
   */
  readonly clientTls: SecureContext;
  /** TLS sessions of next hops, resumed on the next connection to the same one (for clientTls only). */
  readonly nextHopSessions: TlsSessionCache;
  /**
   * With `share_next_hop_connections`: the pooled next-hop connections (next-hop-pool.ts), where a session
   * gets a lane instead of a connection of its own.
   */
  readonly nextHopPool?: { lane(next: MsrpUri, path: KeptPath, session: Session): RelayPeer } | undefined;
}

/** Lives as long as the process, across reloads. */
export interface RelayState {
  readonly clock: Clock;
  readonly deadlines: DeadlineQueue;
  readonly tids: TransactionIds;
  readonly unbound: UnboundSessions;
  readonly connections: Set<LiveConnection>;
  readonly stats: RelayStats;
  readonly logger: Logger;
  /**
   * What the plain TCP connections the relay opens read into (Node offers `onread` for those, not for
   * accepted ones): one buffer for all of them, as each read is handled whole before the next one is made,
   * instead of a new allocation and a stream event per read. Whatever must outlive a read is copied.
   */
  readonly readBuffer: Buffer;
}
