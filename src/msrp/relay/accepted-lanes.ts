/**
 * The sessions of an accepted connection from a relay that may share its connection to this one
 * (`share_next_hop_connections` on missive, Kamailio's msrp module): each session a lane (lane.ts), told
 * apart by the session id in To-Path[0] (RFC 4975 §5.4). The connection becomes this when its first SEND
 * comes from a relay (PeerConnection.bindIncoming); from then on every message it reads is handed to the
 * lane of its session, and a SEND for another unbound session of this relay binds that session to a new
 * lane, as a first SEND binds a connection of its own (relay spec §3.3).
 *
 * A session ends without a close (lane.ts): a part open on the wire is ended with `#`, the far relay gets a
 * REPORT for its SENDs still waiting, and the session id is forgotten (later requests for it get 481).
 * Only a connection that carried one session, all it has ever carried, is closed when that session ends:
 * that is msrprelay's behaviour (relay spec §3.13), and the only way a relay that does not share learns that
 * the session is over. A connection that carried more is closed by the relay that opened it, when idle.
 */
import type { Socket } from 'node:net';
import type { MsrpHead } from '../message.js';
import type { ParserHandler } from '../parser-types.js';
import { findInvalidHeader, type Paths } from './checks.js';
import type { RelayRuntime, RelayState } from './context.js';
import { KeptPath } from './kept-path.js';
import { Lane, type LaneHost } from './lane.js';
import { laneSessionId, readUnrouted, refuseNoSession } from './lane-routing.js';
import { LaneSocket } from './lane-socket.js';
import type { LazyLog } from './lazy-log.js';
import type { MessageRouter } from './peer-reader.js';
import type { Session } from './session.js';
import { LaneQueue, SharedOutbox } from './shared-outbox.js';

/** The accepted connection, as its lanes' host sees it. */
export interface AcceptedConnection {
  readonly log: LazyLog;
  /** Ends the connection once what is queued is written. */
  closeAfterWriting(): void;
}

export class AcceptedLanes extends LaneSocket implements LaneHost, MessageRouter {
  readonly outbox: SharedOutbox;
  readonly pathRole = 'previousHop';
  readonly #socket: Socket;
  readonly #connection: AcceptedConnection;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  readonly #lanes = new Map<string, Lane>();
  /** The connection's own answers (481 for a message for no session, 400), not any session's. */
  readonly #own = new LaneQueue(() => undefined);
  /** Sessions this connection has carried: more than one, and it is a shared connection. */
  #carried = 0;

  constructor(socket: Socket, connection: AcceptedConnection, runtime: RelayRuntime, relay: RelayState) {
    super(socket);
    this.#socket = socket;
    this.#connection = connection;
    this.#runtime = runtime;
    this.#relay = relay;
    this.outbox = new SharedOutbox(socket, relay.tids, relay.stats);
    this.outbox.start([this.#own]);
  }

  get remoteAddress(): string {
    return this.#socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.#socket.remotePort ?? 0;
  }

  /** Relay spec §3.3 on this connection: `session` is bound to a lane of its own, its destination peer. */
  bind(session: Session, paths: Paths): void {
    const lane = new Lane(this, session, KeptPath.of(paths.from), this.#runtime, this.#relay);
    this.#lanes.set(session.id, lane);
    this.#carried += 1;
    session.bindIncoming(lane);
    lane.log.info(`Found matching unbound session ${session.id}`);
  }

  route(head: MsrpHead): ParserHandler | undefined {
    const sessionId = laneSessionId(head);
    const lane = sessionId === undefined ? undefined : this.#lanes.get(sessionId);
    if (lane !== undefined) return lane;
    const answer = (message: Buffer): void => {
      this.answer(message);
    };
    const unrouted = readUnrouted(head, answer);
    if (unrouted.kind === 'invalid') {
      this.#relay.stats.protocolError();
      this.#connection.log.warn(`Invalid ${unrouted.header} header, closing connection`);
      this.#connection.closeAfterWriting();
      return undefined;
    }
    if (unrouted.kind === 'ignored') return undefined;
    const { paths } = unrouted;
    const session = this.#bindable(head, paths);
    if (session === undefined) {
      refuseNoSession(head, paths, answer);
      return undefined;
    }
    this.bind(session, paths);
    return this.#lanes.get(session.id);
  }

  /**
   * The unbound session a SEND for no lane binds (relay spec §3.3): one that names a next hop after this
   * relay and whose headers can be read; anything else gets the 481 of a message for no session.
   */
  #bindable(head: MsrpHead, paths: Paths): Session | undefined {
    if (head.method !== 'SEND' || paths.to.length < 2) return undefined;
    if (head.malformedLines > 0 || findInvalidHeader(head) !== undefined) return undefined;
    const sessionId = paths.to[0]?.sessionId;
    return sessionId === undefined ? undefined : this.#relay.unbound.get(sessionId);
  }

  /** The connection's own answer, written in turn with the lanes' writes. */
  answer(message: Buffer): void {
    this.outbox.sendControl(this.#own, message);
  }

  // ---- LaneHost ---------------------------------------------------------------------------------------

  laneEnded(lane: Lane): void {
    if (this.#lanes.get(lane.session.id) !== lane) return;
    this.#lanes.delete(lane.session.id);
    this.outbox.abort(lane.queue);
    this.resumeFor(lane);
    if (this.#lanes.size === 0 && this.#carried === 1) this.#connection.closeAfterWriting();
  }

  // ---- the connection's events --------------------------------------------------------------------------

  /** The socket's buffer was written: senders held back by it may be read again. */
  drained(): void {
    for (const lane of this.#lanes.values()) lane.relieved();
  }

  /** The connection closed: every session on it ends as it would with a connection of its own. */
  closed(): void {
    const lanes = [...this.#lanes.values()];
    this.#lanes.clear();
    for (const lane of lanes) lane.closed();
  }
}
