/**
 * One TCP/TLS connection of the relay (relay spec §3.1, msrprelay's "Peer"), incoming or outgoing: its
 * socket, parser and outbox, its state (relay spec §3.2: NEW → UNBOUND after AUTH → ESTABLISHED once bound
 * to its other side, or CONNECTING → ESTABLISHED for the connections the relay opens itself), its flow
 * control and teardown, and the transactions of the requests its client sent. What it reads goes through
 * its PeerReader; what a message means for a session is decided by the AuthHandler (AUTH) and the Session
 * (binding, forwarding).
 */
import type { Socket } from 'node:net';
import type { Timer } from '../../time/clock.js';
import type { ContinuationFlag, Header, MsrpHead } from '../message.js';
import type { MsrpUri } from '../uri.js';
import { response } from '../wire.js';
import { AcceptedLanes } from './accepted-lanes.js';
import type { Paths } from './checks.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { ForwardedSend } from './forwarded-send.js';
import { KeptPath } from './kept-path.js';
import { LazyLog, type LogContext } from './lazy-log.js';
import { openNextHop } from './next-hop.js';
import { Outbox } from './outbox.js';
import type { RelayPeer, PeerState } from './peer.js';
import { PeerTransactions } from './peer-transactions.js';
import { type MessageRouter, PeerReader, type ReaderOwner } from './peer-reader.js';
import type { SendTrackerOwner } from './send-tracker.js';
import type { Session } from './session.js';
import type { RelaySettings } from './settings.js';
import { relayReport, type TrackedRequest, type TrackedSend } from './transactions.js';

/** A connection the relay opens to a session's next hop (relay spec §3.5). */
interface NextHop {
  readonly session: Session | undefined;
  readonly path: KeptPath;
  /** The socket event that says it is ready for MSRP. */
  readonly readyEvent: string;
}

/**
 * The sockets' listeners are shared by all connections and find theirs on the socket: four closures per
 * socket were a good part of what an idle session costs.
 */
const CONNECTION = Symbol('missive.connection');
type RelaySocket = Socket & { [CONNECTION]?: PeerConnection };

/**
 * The per-connection structures below that only some connections need (the transaction maps) are made on
 * first use: an idle authenticated session should cost little more than its socket.
 */
export class PeerConnection implements RelayPeer, ReaderOwner, LogContext {
  readonly remoteAddress: string;
  #state: PeerState;
  #path: KeptPath = KeptPath.none;
  /** The session's other peer, once bound. */
  #other: RelayPeer | undefined;
  #session: Session | undefined;
  readonly #socket: Socket;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  readonly #outgoing: boolean;
  readonly #outbox: Outbox;
  readonly #reader: PeerReader;
  readonly #log: LazyLog;
  /** The requests forwarded from this connection awaiting their response; made with the first one. */
  #transactionTable: PeerTransactions | undefined;
  /** Once a relay's first SEND came on it: the sessions this accepted connection carries, a lane each. */
  #lanes: AcceptedLanes | undefined;
  #authAttempts = 0;
  #invalidTimer: Timer | undefined;
  #closeTimer: Timer | undefined;

  /** An accepted connection, or with `nextHop` one the relay opened itself. */
  constructor(socket: Socket, runtime: RelayRuntime, relay: RelayState, nextHop?: NextHop) {
    this.#socket = socket;
    this.#runtime = runtime;
    this.#relay = relay;
    this.#outgoing = nextHop !== undefined;
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.#log = new LazyLog(relay.logger, this);
    this.#outbox = new Outbox(socket, relay.tids, relay.stats);
    this.#reader = new PeerReader(this, socket, runtime, relay);
    relay.connections.add(this);
    socket.setNoDelay(true);
    (socket as RelaySocket)[CONNECTION] = this;
    socket.on('data', PeerConnection.#onSocketData);
    socket.on('drain', PeerConnection.#onSocketDrain);
    socket.on('error', PeerConnection.#onSocketError);
    socket.on('close', PeerConnection.#onSocketClose);
    if (nextHop === undefined) {
      this.#state = 'NEW';
      this.#outbox.start();
      this.#invalidTimer = relay.clock.schedule(runtime.settings.invalidConnectionTimeout * 1000, () => {
        this.#log.warn('No valid MSRP message received, disconnecting');
        this.#socket.destroy();
      });
      return;
    }
    this.#state = 'CONNECTING';
    this.#session = nextHop.session;
    this.#path = nextHop.path;
    const timeout = relay.clock.schedule(runtime.settings.connectTimeout * 1000, () => {
      if (this.#state === 'CONNECTING') socket.destroy(new Error('connection timed out'));
    });
    socket.once(nextHop.readyEvent, () => {
      timeout.cancel();
      this.#onConnected();
    });
    socket.once('close', () => {
      timeout.cancel();
    });
  }

  static #onSocketData(this: RelaySocket, chunk: Buffer): void {
    const connection = this[CONNECTION];
    if (connection !== undefined) connection.#reader.read(chunk);
  }

  /** The `onread` of the connections the relay opens: `nread` bytes in the relay's read buffer. */
  static #onSocketRead(this: RelaySocket, nread: number): boolean {
    const connection = this[CONNECTION];
    if (connection !== undefined)
      connection.#reader.readShared(connection.#relay.readBuffer.subarray(0, nread));
    return true; // pausing is the reader's, through socket.pause()
  }

  static #onSocketDrain(this: RelaySocket): void {
    const connection = this[CONNECTION];
    if (connection !== undefined) connection.#onDrain();
  }

  static #onSocketError(this: RelaySocket, error: Error): void {
    const connection = this[CONNECTION];
    if (connection !== undefined) {
      connection.#log.warn(`Connection with ${connection.#describeFarEnd()} failed: ${error.message}`);
    }
  }

  static #onSocketClose(this: RelaySocket): void {
    const connection = this[CONNECTION];
    if (connection !== undefined) connection.#onClosed();
  }

  get state(): PeerState {
    return this.#state;
  }

  get path(): KeptPath {
    return this.#path;
  }

  get session(): Session | undefined {
    return this.#session;
  }

  get other(): RelayPeer | undefined {
    return this.#other;
  }

  get router(): MessageRouter | undefined {
    return this.#lanes;
  }

  get settings(): RelaySettings {
    return this.#runtime.settings;
  }

  get log(): LazyLog {
    return this.#log;
  }

  get bytesWritten(): number {
    return this.#outbox.bytesWritten;
  }

  get backlogBytes(): number {
    return this.#outbox.backlogBytes;
  }

  get backlogItems(): number {
    return this.#outbox.backlogItems;
  }

  get unreadControlBytes(): number {
    return this.#outbox.unreadControlBytes;
  }

  logBindings(): Record<string, string> {
    const socket = this.#socket;
    const address = this.remoteAddress || normalizeAddress(socket.remoteAddress ?? '');
    const bindings: Record<string, string> = { peer: `${address}:${socket.remotePort ?? 0}` };
    const session = this.#session;
    if (session !== undefined) {
      bindings.session = session.id;
      bindings.user = `${session.username}@${session.realm}`;
    }
    if (this.#outgoing) bindings.nextHop = this.#path.uris[0]?.text ?? '';
    return bindings;
  }

  // ---- session transitions (relay spec §3.2) ------------------------------------------------------

  /** AuthClient: the AUTH succeeded, this connection is its session's source (NEW → UNBOUND). */
  authenticated(session: Session, path: KeptPath): void {
    this.#session = session;
    this.#path = path;
    this.#state = 'UNBOUND';
    this.#cancelInvalidTimer();
    this.#log.refresh();
  }

  /**
   * ReaderOwner: an active endpoint or a relay presents the first SEND of one of our sessions. A relay
   * (From-Path names more than the sender: it forwards for someone) may share its connection to this relay
   * among its sessions, so its connection carries lanes (accepted-lanes.ts), this session's the first; an
   * endpoint's connection is the session's peer itself, and another session on it gets 481 (relay spec §3.4).
   */
  bindIncoming(session: Session, paths: Paths): void {
    this.#cancelInvalidTimer();
    if (paths.from.length > 1) {
      this.#state = 'ESTABLISHED';
      this.#lanes = new AcceptedLanes(this.#socket, this, this.#runtime, this.#relay);
      this.#lanes.bind(session, paths);
      return;
    }
    this.#session = session;
    this.#path = KeptPath.of(paths.from);
    session.bindIncoming(this);
    this.#log.refresh();
    this.#log.info(`Found matching unbound session ${session.id}`);
  }

  /** RelayPeer: the session is bound; an opened next hop stays CONNECTING until it is up. */
  establish(other: RelayPeer): void {
    this.#other = other;
    if (this.#state !== 'CONNECTING') this.#state = 'ESTABLISHED';
  }

  openNextHop(next: MsrpUri, path: KeptPath): RelayPeer {
    const runtime = this.#runtime;
    const pool = runtime.nextHopPool;
    if (pool !== undefined && this.#session !== undefined) return pool.lane(next, path, this.#session);
    const { socket, readyEvent } = openNextHop(next, {
      secureContext: runtime.clientTls,
      verifyPeer: runtime.settings.verifyPeer,
      tlsSessions: runtime.nextHopSessions,
      readInto: { buffer: this.#relay.readBuffer, callback: PeerConnection.#onSocketRead },
    });
    return new PeerConnection(socket, runtime, this.#relay, { session: this.#session, path, readyEvent });
  }

  #onConnected(): void {
    if (this.#state !== 'CONNECTING') return;
    this.#state = 'ESTABLISHED';
    this.#log.debug('Successfully connected');
    this.#outbox.start();
    this.#other?.resumeIfUnblocked();
  }

  // ---- AUTH (AuthClient) ---------------------------------------------------------------------------

  get awaitingAuth(): boolean {
    return this.#state === 'NEW';
  }

  holdInput(): void {
    this.#reader.hold();
  }

  releaseInput(): void {
    this.#reader.release();
  }

  countFailedAuth(): number {
    return ++this.#authAttempts;
  }

  // ---- writing -------------------------------------------------------------------------------------

  /** Relay-generated responses go to From-Path[0], from To-Path[0]; responses are never answered. */
  respond(head: MsrpHead, paths: Paths, code: number, comment: string, headers: Header[] = []): void {
    if (head.method === undefined) {
      this.#log.debug('Not answering a response', { code, comment });
      return;
    }
    this.sendControl(
      response(head, code, comment, paths.from[0]?.text ?? '', paths.to[0]?.text ?? '', headers),
    );
  }

  sendControl(message: Buffer): void {
    // With lanes, one writer orders every write on the socket.
    if (this.#lanes === undefined) this.#outbox.sendControl(message);
    else this.#lanes.answer(message);
  }

  startSend(send: ForwardedSend): void {
    this.#outbox.startSend(send);
  }

  sendBody(send: ForwardedSend, slice: Buffer): void {
    this.#outbox.sendBody(send, slice);
  }

  endSend(send: ForwardedSend, flag: ContinuationFlag): void {
    this.#outbox.endSend(send, flag);
  }

  cork(): void {
    this.#socket.cork();
  }

  uncork(): void {
    this.#socket.uncork();
  }

  // ---- transactions of this connection's requests (relay spec §3.7, §3.8) ---------------------------

  sendTracking(): SendTrackerOwner {
    return this.#transactions().sends();
  }

  takeSend(tid: string): TrackedSend | undefined {
    return this.#transactionTable?.takeSend(tid);
  }

  /** SendReporter: a REPORT from the relay itself to this connection's client about one of its SENDs. */
  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void {
    this.#outbox.sendControl(relayReport(tracked, code, comment, this.#relay.tids.next()));
  }

  trackRequest(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void {
    this.#transactions().trackRequest(head, tid, replyTo, replyFrom);
  }

  takeRequest(tid: string): TrackedRequest | undefined {
    return this.#transactionTable?.takeRequest(tid);
  }

  #transactions(): PeerTransactions {
    this.#transactionTable ??= new PeerTransactions(
      this,
      this.#outbox,
      this.#relay.deadlines,
      () => this.#runtime.settings.transactionTimeout * 1000,
    );
    return this.#transactionTable;
  }

  // ---- flow control (relay spec §3.10, in the reader) -------------------------------------------------

  #onDrain(): void {
    if (this.#lanes !== undefined) {
      this.#lanes.drained();
      return;
    }
    this.#reader.resumeIfUnblocked();
    this.#other?.resumeIfUnblocked();
  }

  resumeIfUnblocked(): void {
    this.#reader.resumeIfUnblocked();
  }

  // ---- teardown (relay spec §3.13) -------------------------------------------------------------------

  #onClosed(): void {
    if (this.#state === 'DISCONNECTED') return;
    this.#state = 'DISCONNECTED';
    this.#cancelInvalidTimer();
    this.#closeTimer?.cancel();
    this.#cancelTransactions();
    this.#relay.connections.delete(this);
    this.#lanes?.closed();
    const session = this.#session;
    if (session === undefined) return;
    session.peerClosed(this);
    if (session.source === this) {
      this.#log.info('Session ended', {
        bytesToSource: this.#outbox.bytesWritten,
        bytesToDestination: session.destination?.bytesWritten ?? 0,
        seconds: Math.round((this.#relay.clock.now() - session.startedAt) / 1000),
      });
    }
  }

  /**
   * The other side of the session went away: end a chunk from it that was in flight with `#`, tell this
   * side's client about its SENDs still waiting for a response (REPORT 408), then close once written.
   */
  disconnect(): void {
    if (this.#state === 'DISCONNECTING' || this.#state === 'DISCONNECTED') return;
    const connected = this.#outbox.isOpen;
    this.#state = 'DISCONNECTING';
    this.#outbox.abortSends();
    this.#transactionTable?.failSends('Session got disconnected');
    this.#cancelTransactions();
    if (!connected) {
      this.#socket.destroy();
      return;
    }
    this.#socket.resume(); // read and drop whatever the client still sends, so its FIN is seen
    this.#socket.end();
    // A client that never reads would keep the connection forever.
    this.#closeTimer = this.#relay.clock.schedule(this.#runtime.settings.transactionTimeout * 1000, () => {
      this.#socket.destroy();
    });
  }

  /** Ends the connection once what is queued is written; its session goes with it. */
  closeAfterWriting(): void {
    this.#state = 'DISCONNECTING'; // nothing more is read from this connection
    this.#socket.resume();
    this.#socket.end();
    this.#closeTimer ??= this.#relay.clock.schedule(this.#runtime.settings.transactionTimeout * 1000, () => {
      this.#socket.destroy();
    });
  }

  /** Closes at once, dropping whatever is queued: used on shutdown and after too many failed AUTHs. */
  destroy(): void {
    this.#socket.destroy();
  }

  #cancelTransactions(): void {
    this.#transactionTable?.cancelAll();
  }

  /** Cancels and forgets the timer (it holds a Timeout and closures as long as it is referenced). */
  #cancelInvalidTimer(): void {
    this.#invalidTimer?.cancel();
    this.#invalidTimer = undefined;
  }

  #describeFarEnd(): string {
    return this.#path.text || this.remoteAddress;
  }
}

/** IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
