/**
 * The pooled next-hop connections (`[Relay] share_next_hop_connections`), one per scheme, host and port
 * (MSRP runs over TCP only): a session bound to a next hop gets a lane on the pooled connection instead of
 * a connection of its own (relay spec §3.5 opens one per session, as msrprelay did).
 */
import { DEFAULT_MSRP_PORT, type MsrpUri } from '../uri.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { KeptPath } from './kept-path.js';
import type { Lane } from './lane.js';
import { openNextHop } from './next-hop.js';
import type { Session } from './session.js';
import { type ConnectionPool, SharedConnection } from './shared-connection.js';

export class NextHopPool implements ConnectionPool {
  readonly #connections = new Map<string, SharedConnection>();
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;

  constructor(runtime: RelayRuntime, relay: RelayState) {
    this.#runtime = runtime;
    this.#relay = relay;
  }

  /** The session's lane on the pooled connection to `next`, which is opened now if there is none. */
  lane(next: MsrpUri, path: KeptPath, session: Session): Lane {
    const key = `${next.secure ? 'msrps' : 'msrp'}://${next.host.toLowerCase()}:${next.port ?? DEFAULT_MSRP_PORT}`;
    let connection = this.#connections.get(key);
    if (connection === undefined || !connection.usable) {
      const runtime = this.#runtime;
      const { socket, readyEvent } = openNextHop(next, {
        secureContext: runtime.clientTls,
        verifyPeer: runtime.settings.verifyPeer,
        tlsSessions: runtime.nextHopSessions,
      });
      connection = new SharedConnection(key, socket, readyEvent, runtime, this.#relay, this);
      this.#connections.set(key, connection);
    }
    return connection.lane(session, path);
  }

  forget(key: string, connection: SharedConnection): void {
    if (this.#connections.get(key) === connection) this.#connections.delete(key);
  }
}
