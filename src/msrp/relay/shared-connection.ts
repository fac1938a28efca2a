/**
 * A pooled connection to one next hop (`[Relay] share_next_hop_connections`), carrying the sessions bound
 * to it, each as a lane (lane.ts), as RFC 4975 §4 allows (sessions are told apart by the session ids in
 * their paths) and Kamailio's msrp module does. It keeps the socket, the parser and the lanes by session id:
 * everything B sends, requests and responses alike, names the relay's URI of its session in To-Path[0]
 * (the relay put it first in the From-Path of what it forwarded), so each message goes to that session's
 * lane; a message for no session gets 481. When B closes the connection, every lane's session ends as it
 * would with a connection of its own; when no lane is left, the connection is closed after an idle time.
 */
import type { Socket } from 'node:net';
import type { Timer } from '../../time/clock.js';
import type { ContinuationFlag, MsrpHead } from '../message.js';
import { MsrpParser } from '../parser.js';
import { MsrpProtocolError, type ParserHandler } from '../parser-types.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { KeptPath } from './kept-path.js';
import { Lane, type LaneHost } from './lane.js';
import { laneSessionId, readUnrouted, refuseNoSession } from './lane-routing.js';
import { LaneSocket } from './lane-socket.js';
import { LazyLog, type LogContext } from './lazy-log.js';
import type { LiveConnection, PeerState } from './peer.js';
import type { Session } from './session.js';
import { LaneQueue, SharedOutbox } from './shared-outbox.js';

/** Where a pooled connection is kept, and forgotten once it stops taking sessions. */
export interface ConnectionPool {
  forget(key: string, connection: SharedConnection): void;
}

/** Not a lane: the message being read is dropped (no session, or the connection is closing). */
const NOWHERE = 'nowhere';

export class SharedConnection
  extends LaneSocket
  implements LiveConnection, LaneHost, ParserHandler, LogContext
{
  readonly key: string;
  readonly outbox: SharedOutbox;
  readonly pathRole = 'nextHop';
  #state: PeerState = 'CONNECTING';
  readonly #socket: Socket;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  readonly #pool: ConnectionPool;
  readonly #parser: MsrpParser;
  readonly #log: LazyLog;
  readonly #lanes = new Map<string, Lane>();
  /** The connection's own answers (481 for a message for no session, 400), not any session's. */
  readonly #own = new LaneQueue(() => undefined);
  /** Where the message being read goes. */
  #reading: Lane | typeof NOWHERE | undefined;
  #idleTimer: Timer | undefined;
  #closeTimer: Timer | undefined;

  constructor(
    key: string,
    socket: Socket,
    readyEvent: string,
    runtime: RelayRuntime,
    relay: RelayState,
    pool: ConnectionPool,
  ) {
    super(socket);
    this.key = key;
    this.#socket = socket;
    this.#runtime = runtime;
    this.#relay = relay;
    this.#pool = pool;
    this.#log = new LazyLog(relay.logger, this);
    this.outbox = new SharedOutbox(socket, relay.tids, relay.stats);
    this.#parser = new MsrpParser(this);
    relay.connections.add(this);
    socket.setNoDelay(true);
    const timeout = relay.clock.schedule(runtime.settings.connectTimeout * 1000, () => {
      if (this.#state === 'CONNECTING') socket.destroy(new Error('connection timed out'));
    });
    socket.once(readyEvent, () => {
      timeout.cancel();
      this.#onConnected();
    });
    socket.on('data', (chunk: Buffer) => {
      this.#read(chunk);
    });
    socket.on('drain', () => {
      for (const lane of this.#lanes.values()) lane.relieved();
    });
    socket.on('error', (error: Error) => {
      this.#log.warn(`Shared connection with ${key} failed: ${error.message}`);
    });
    socket.on('close', () => {
      timeout.cancel();
      this.#onClosed();
    });
  }

  get state(): PeerState {
    return this.#state;
  }

  get remoteAddress(): string {
    return this.#socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.#socket.remotePort ?? 0;
  }

  /** Still taking new sessions. */
  get usable(): boolean {
    return this.#state === 'CONNECTING' || this.#state === 'ESTABLISHED';
  }

  logBindings(): Record<string, string> {
    return { nextHop: this.key, peer: `${this.remoteAddress}:${this.remotePort}` };
  }

  /** A session bound to this next hop: its lane, its destination peer from now on. */
  lane(session: Session, path: KeptPath): Lane {
    this.#idleTimer?.cancel();
    this.#idleTimer = undefined;
    const lane = new Lane(this, session, path, this.#runtime, this.#relay);
    this.#lanes.set(session.id, lane);
    return lane;
  }

  // ---- LaneHost ---------------------------------------------------------------------------------------

  laneEnded(lane: Lane): void {
    if (this.#lanes.get(lane.session.id) !== lane) return;
    this.#lanes.delete(lane.session.id);
    this.outbox.abort(lane.queue);
    if (this.#reading === lane) this.#reading = NOWHERE;
    this.resumeFor(lane);
    if (this.#lanes.size === 0 && this.usable) this.#closeWhenIdle();
  }

  /** Closes at once: relay shutdown. */
  destroy(): void {
    this.#socket.destroy();
  }

  // ---- reading ----------------------------------------------------------------------------------------

  #read(chunk: Buffer): void {
    if (this.#state !== 'ESTABLISHED') return;
    this.#socket.cork();
    try {
      this.#parser.feed(chunk);
    } catch (error) {
      if (error instanceof MsrpProtocolError) {
        this.#relay.stats.protocolError();
        this.#log.warn(`Protocol error, closing shared connection: ${error.message}`, { kind: error.kind });
      } else {
        // A bug must cost this connection's sessions, not the process and every other one.
        this.#log.error('Unexpected error, closing shared connection', { err: error });
      }
      this.#closeAfterWriting();
    } finally {
      this.#socket.uncork();
    }
  }

  // ParserHandler: called by this connection's parser only.

  onHead(head: MsrpHead): void {
    const lane = this.#laneOf(head);
    this.#reading = lane;
    if (lane !== NOWHERE) lane.onHead(head);
  }

  onBody(slice: Buffer): void {
    const lane = this.#reading;
    if (lane !== undefined && lane !== NOWHERE) lane.onBody(slice);
  }

  onEnd(flag: ContinuationFlag): void {
    const lane = this.#reading;
    this.#reading = undefined;
    if (lane !== undefined && lane !== NOWHERE) lane.onEnd(flag);
  }

  /**
   * The lane of the session To-Path[0] names (lane-routing.ts). A request for no session gets 481; a
   * message for no session whose paths are not MSRP URIs gets 400 and closes the connection.
   */
  #laneOf(head: MsrpHead): Lane | typeof NOWHERE {
    if (this.#state !== 'ESTABLISHED') return NOWHERE;
    const sessionId = laneSessionId(head);
    const lane = sessionId === undefined ? undefined : this.#lanes.get(sessionId);
    if (lane !== undefined) return lane;
    const answer = (message: Buffer): void => {
      this.#answer(message);
    };
    const unrouted = readUnrouted(head, answer);
    if (unrouted.kind === 'invalid') {
      this.#relay.stats.protocolError();
      this.#log.warn(`Invalid ${unrouted.header} header, closing shared connection`);
      this.#closeAfterWriting();
    } else if (unrouted.kind === 'paths') {
      refuseNoSession(head, unrouted.paths, answer);
    }
    return NOWHERE;
  }

  #answer(message: Buffer): void {
    this.outbox.sendControl(this.#own, message);
  }

  // ---- life ---------------------------------------------------------------------------------------------

  #onConnected(): void {
    if (this.#state !== 'CONNECTING') return;
    this.#state = 'ESTABLISHED';
    this.#log.debug('Shared connection up');
    const lanes = [...this.#lanes.values()];
    this.outbox.start(lanes.map((lane) => lane.queue));
    for (const lane of lanes) lane.connected();
    if (lanes.length === 0) this.#closeWhenIdle();
  }

  #closeWhenIdle(): void {
    this.#idleTimer?.cancel();
    this.#idleTimer = this.#relay.clock.schedule(
      this.#runtime.settings.sharedConnectionIdleTime * 1000,
      () => {
        this.#idleTimer = undefined;
        if (this.#lanes.size === 0) this.#closeAfterWriting();
      },
    );
  }

  /** Takes no new sessions, ends once what is queued is written. */
  #closeAfterWriting(): void {
    if (!this.usable) return;
    this.#state = 'DISCONNECTING';
    this.#reading = NOWHERE;
    this.#pool.forget(this.key, this);
    this.#socket.resume(); // read and drop what B still sends, so its FIN is seen
    this.#socket.end();
    // A next hop that never reads would keep the connection forever.
    this.#closeTimer = this.#relay.clock.schedule(this.#runtime.settings.transactionTimeout * 1000, () => {
      this.#socket.destroy();
    });
  }

  #onClosed(): void {
    if (this.#state === 'DISCONNECTED') return;
    this.#state = 'DISCONNECTED';
    this.#idleTimer?.cancel();
    this.#closeTimer?.cancel();
    this.#pool.forget(this.key, this);
    this.#relay.connections.delete(this);
    const lanes = [...this.#lanes.values()];
    this.#lanes.clear();
    for (const lane of lanes) lane.closed();
  }
}
