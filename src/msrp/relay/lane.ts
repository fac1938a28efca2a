/**
 * One session's share of a connection that carries several: a pooled next-hop connection
 * (`[Relay] share_next_hop_connections`, shared-connection.ts), or an accepted one from a relay that shares
 * its own (accepted-lanes.ts). To the session it is the destination peer, as a connection of its own would
 * be, with its own queue, its own transactions and its own flow control; the connection keeps the socket
 * and the parser, and hands each message for this session to the lane's reader. The session ends without
 * a connection close: what was open on the wire is ended with `#`, waiting transactions fail as on a
 * close, and the session id is forgotten (later messages for it get 481).
 */
import type { ContinuationFlag, Header, MsrpHead } from '../message.js';
import type { MsrpUri } from '../uri.js';
import { response } from '../wire.js';
import type { Paths } from './checks.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { ForwardedSend } from './forwarded-send.js';
import type { KeptPath } from './kept-path.js';
import { LazyLog, type LogContext } from './lazy-log.js';
import type { PeerState, RelayPeer } from './peer.js';
import { PeerReader, type ReaderOwner } from './peer-reader.js';
import { PeerTransactions } from './peer-transactions.js';
import type { SendTrackerOwner } from './send-tracker.js';
import type { Session } from './session.js';
import type { RelaySettings } from './settings.js';
import { LaneQueue, type SharedOutbox } from './shared-outbox.js';
import { relayReport, type TrackedRequest, type TrackedSend } from './transactions.js';

/** The shared connection, as its lanes see it. */
export interface LaneHost {
  readonly outbox: SharedOutbox;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** What the lane's path names, for its log lines: the next hop, or (accepted) the previous hop. */
  readonly pathRole: 'nextHop' | 'previousHop';
  cork(): void;
  uncork(): void;
  /** Reading the shared socket stops while any lane asks it to (relay spec §3.10, B towards A). */
  pauseFor(lane: Lane): void;
  resumeFor(lane: Lane): void;
  /** The lane's session ended: forget its session id. */
  laneEnded(lane: Lane): void;
}

export class Lane implements ReaderOwner, LogContext {
  readonly path: KeptPath;
  readonly session: Session;
  readonly log: LazyLog;
  #state: PeerState = 'CONNECTING';
  #other: RelayPeer | undefined;
  readonly #host: LaneHost;
  readonly #queue: LaneQueue;
  readonly #reader: PeerReader;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  /** A lane reads only its own session's messages: it routes nothing further. */
  readonly router = undefined;
  /** The requests forwarded from this lane's client awaiting their response; made with the first one. */
  #transactionTable: PeerTransactions | undefined;

  constructor(host: LaneHost, session: Session, path: KeptPath, runtime: RelayRuntime, relay: RelayState) {
    this.#host = host;
    this.session = session;
    this.path = path;
    this.#runtime = runtime;
    this.#relay = relay;
    this.log = new LazyLog(relay.logger, this);
    this.#queue = new LaneQueue(() => {
      this.relieved();
    });
    const input = {
      pause: (): void => {
        host.pauseFor(this);
      },
      resume: (): void => {
        host.resumeFor(this);
      },
    };
    this.#reader = new PeerReader(this, input, runtime, relay);
  }

  get state(): PeerState {
    return this.#state;
  }

  get other(): RelayPeer | undefined {
    return this.#other;
  }

  get settings(): RelaySettings {
    return this.#runtime.settings;
  }

  get remoteAddress(): string {
    return this.#host.remoteAddress;
  }

  get queue(): LaneQueue {
    return this.#queue;
  }

  get bytesWritten(): number {
    return this.#queue.bytesWritten;
  }

  /** The lane's own queue, and the shared socket's buffer, which holds up every lane alike. */
  get backlogBytes(): number {
    return this.#queue.queuedBytes + this.#host.outbox.socketBacklog;
  }

  get backlogItems(): number {
    return this.#queue.control.length + this.#queue.sends.length;
  }

  get unreadControlBytes(): number {
    return this.#queue.unreadControl;
  }

  logBindings(): Record<string, string> {
    const session = this.session;
    return {
      peer: `${this.#host.remoteAddress}:${this.#host.remotePort}`,
      session: session.id,
      user: `${session.username}@${session.realm}`,
      [this.#host.pathRole]: this.path.uris[0]?.text ?? '',
      shared: 'yes',
    };
  }

  // ---- what the shared connection read for this session (its parser's events) ---------------------

  onHead(head: MsrpHead): void {
    this.#reader.onHead(head);
  }

  onBody(slice: Buffer): void {
    this.#reader.onBody(slice);
  }

  onEnd(flag: ContinuationFlag): void {
    this.#reader.onEnd(flag);
  }

  // ---- session transitions (relay spec §3.2) --------------------------------------------------------

  establish(other: RelayPeer): void {
    this.#other = other;
    if (this.#host.outbox.isOpen) this.#state = 'ESTABLISHED';
  }

  /** The shared connection is up (CONNECTING → ESTABLISHED). */
  connected(): void {
    if (this.#state !== 'CONNECTING') return;
    this.#state = 'ESTABLISHED';
    this.#other?.resumeIfUnblocked();
  }

  openNextHop(next: MsrpUri): RelayPeer {
    // A lane is always a session's destination; only a source opens next hops (Session.#connectOutbound).
    throw new Error(`a next-hop lane cannot open a next hop (${next.text})`);
  }

  /**
   * The source went away: end this session's part open on the wire with `#`, tell B about its SENDs still
   * waiting for A's response (REPORT 408), and leave the shared connection open for the other sessions.
   */
  disconnect(): void {
    if (this.#state === 'DISCONNECTING' || this.#state === 'DISCONNECTED') return;
    this.#state = 'DISCONNECTING';
    this.#host.outbox.abort(this.#queue);
    this.#transactionTable?.failSends('Session got disconnected');
    this.#cancelTransactions();
    this.#leave();
  }

  /** The shared connection closed: this session ends as it would with a connection of its own. */
  closed(): void {
    if (this.#state === 'DISCONNECTED') return;
    this.#state = 'DISCONNECTED';
    this.#cancelTransactions();
    this.session.peerClosed(this);
  }

  /** What a connection's reader does to its connection on bad input ends only this session here. */
  closeAfterWriting(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.#state === 'DISCONNECTED') return;
    this.#host.outbox.abort(this.#queue);
    this.#cancelTransactions();
    this.#leave();
    this.session.peerClosed(this);
  }

  #leave(): void {
    this.#state = 'DISCONNECTED';
    this.#host.laneEnded(this);
  }

  // ---- AUTH: a lane is never NEW, so none of this is reached (ReaderOwner asks for it) ----------------

  get awaitingAuth(): boolean {
    return false;
  }

  holdInput(): void {
    this.#reader.hold();
  }

  releaseInput(): void {
    this.#reader.release();
  }

  countFailedAuth(): number {
    return 0;
  }

  authenticated(): void {
    this.log.warn('AUTH granted on a next-hop lane, ignored');
  }

  bindIncoming(): void {
    this.log.warn('Binding on a next-hop lane, ignored');
  }

  // ---- writing ----------------------------------------------------------------------------------------

  respond(head: MsrpHead, paths: Paths, code: number, comment: string, headers: Header[] = []): void {
    if (head.method === undefined) return;
    this.sendControl(
      response(head, code, comment, paths.from[0]?.text ?? '', paths.to[0]?.text ?? '', headers),
    );
  }

  sendControl(message: Buffer): void {
    if (this.#state !== 'DISCONNECTED') this.#host.outbox.sendControl(this.#queue, message);
  }

  startSend(send: ForwardedSend): void {
    if (this.#state !== 'DISCONNECTED') this.#host.outbox.startSend(this.#queue, send);
  }

  sendBody(send: ForwardedSend, slice: Buffer): void {
    if (this.#state !== 'DISCONNECTED') this.#host.outbox.sendBody(this.#queue, send, slice);
  }

  endSend(send: ForwardedSend, flag: ContinuationFlag): void {
    if (this.#state !== 'DISCONNECTED') this.#host.outbox.endSend(this.#queue, send, flag);
  }

  cork(): void {
    this.#host.cork();
  }

  uncork(): void {
    this.#host.uncork();
  }

  resumeIfUnblocked(): void {
    this.#reader.resumeIfUnblocked();
  }

  /**
   * What held this lane's writes back was written (its queue, or the shared socket's buffer): its sender,
   * and its own reading (stopped while its own backlog was over the thresholds, relay spec §3.10), may go
   * on. Nothing else resumes the latter: a lane has no socket of its own whose drain would.
   */
  relieved(): void {
    this.#other?.resumeIfUnblocked();
    this.#reader.resumeIfUnblocked();
  }

  // ---- transactions of the requests B sent on this session (relay spec §3.7, §3.8) -------------------

  sendTracking(): SendTrackerOwner {
    return this.#transactions().sends();
  }

  takeSend(tid: string): TrackedSend | undefined {
    return this.#transactionTable?.takeSend(tid);
  }

  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void {
    this.sendControl(relayReport(tracked, code, comment, this.#relay.tids.next()));
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
      this,
      this.#relay.deadlines,
      () => this.#runtime.settings.transactionTimeout * 1000,
    );
    return this.#transactionTable;
  }

  #cancelTransactions(): void {
    this.#transactionTable?.cancelAll();
  }
}
