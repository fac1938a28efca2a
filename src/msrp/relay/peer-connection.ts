/**
 * One TCP/TLS connection of the relay (relay spec §3.1, msrprelay's "Peer"), incoming or outgoing: its
 * socket, parser and outbox, its state (relay spec §3.2: NEW → UNBOUND after AUTH → ESTABLISHED once bound
 * to its other side, or CONNECTING → ESTABLISHED for the connections the relay opens itself), its flow
 * control and teardown, and the transactions of the requests its client sent. It reads, checks what every
 * message must pass, and writes; what a message means for a session is decided by the AuthHandler (AUTH)
 * and the Session (binding, forwarding).
 */
import type { Socket } from 'node:net';
import type { Timer } from '../../time/clock.js';
import type { ContinuationFlag, Header, MsrpHead } from '../message.js';
import { MsrpParser, MsrpProtocolError, type ParserHandler } from '../parser.js';
import type { MsrpUri } from '../uri.js';
import { response } from '../wire.js';
import type { AuthClient } from './auth-handler.js';
import {
  findInvalidHeader,
  headerError,
  NO_SESSION,
  PathCache,
  type Paths,
  readPaths,
  UNINTELLIGIBLE,
} from './checks.js';
import type { RelayRuntime, RelayState } from './context.js';
import type { ForwardedSend } from './forwarded-send.js';
import { KeptPath } from './kept-path.js';
import { KnownOk } from './known-ok.js';
import { LazyLog, type LogContext } from './lazy-log.js';
import { openNextHop } from './next-hop.js';
import { Outbox } from './outbox.js';
import type { Peer, PeerState } from './peer.js';
import { PendingRequests } from './pending-requests.js';
import { PendingSends } from './pending-sends.js';
import type { SendTrackerOwner } from './send-tracker.js';
import type { Session } from './session.js';
import type { RelaySettings } from './settings.js';
import { relayReport, type TrackedRequest, type TrackedSend } from './transactions.js';

type Inbound =
  /** A message without a body section (most responses): complete at its end-line. */
  | { readonly kind: 'bodiless'; readonly head: MsrpHead }
  | { readonly kind: 'collect'; readonly head: MsrpHead; readonly chunks: Buffer[]; size: number }
  | {
      readonly kind: 'forward';
      readonly head: MsrpHead;
      readonly paths: Paths;
      readonly send: ForwardedSend;
      readonly destination: Peer;
    }
  | { readonly kind: 'discard' };

const DISCARD: Inbound = { kind: 'discard' };
const NO_BODY = Buffer.alloc(0);

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
 * The per-connection structures below that only some connections need (transaction maps, path cache) are
 * made on first use: an idle authenticated session should cost little more than its socket.
 */
export class PeerConnection implements Peer, AuthClient, ParserHandler, LogContext {
  readonly remoteAddress: string;
  #state: PeerState;
  #path: KeptPath = KeptPath.none;
  /** The session's other peer, once bound. */
  #other: Peer | undefined;
  #session: Session | undefined;
  readonly #socket: Socket;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  readonly #outgoing: boolean;
  readonly #outbox: Outbox;
  readonly #parser: MsrpParser;
  readonly #log: LazyLog;
  /** SEND parts forwarded from this connection awaiting their response; made with the first one. */
  #pendingSends: PendingSends | undefined;
  /** The same for other requests. */
  #pendingRequests: PendingRequests | undefined;
  /** Only once a session is set up: before that, paths are read once or twice and need no cache. */
  #pathCache: PathCache | undefined;
  #inbound: Inbound | undefined;
  /** The next hop's plain 200, once one has been through every check (outgoing connections). */
  #knownOk: KnownOk | undefined;
  #authAttempts = 0;
  #invalidTimer: Timer | undefined;
  #closeTimer: Timer | undefined;
  #pausedForBackpressure = false;
  #pausedForAuth = false;

  /** An accepted connection, or with `nextHop` one the relay opened itself. */
  constructor(socket: Socket, runtime: RelayRuntime, relay: RelayState, nextHop?: NextHop) {
    this.#socket = socket;
    this.#runtime = runtime;
    this.#relay = relay;
    this.#outgoing = nextHop !== undefined;
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.#log = new LazyLog(relay.logger, this);
    this.#outbox = new Outbox(socket, relay.tids, relay.stats);
    this.#parser = new MsrpParser(this);
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
    if (connection !== undefined) connection.#onData(chunk);
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

  // ---- reading ---------------------------------------------------------------------------------

  #onData(chunk: Buffer): void {
    const start = this.#consumeKnownOks(chunk);
    if (start === chunk.length) return;
    this.#parse(start === 0 ? chunk : chunk.subarray(start));
  }

  /**
   * The 200s for forwarded SENDs at the start of `chunk` that have the bytes of one already checked (see
   * KnownOk): each ends its transaction as a parsed one would. Returns where the rest of the chunk begins.
   */
  #consumeKnownOks(chunk: Buffer): number {
    const knownOk = this.#knownOk;
    const requester = this.#other;
    if (knownOk === undefined || requester === undefined) return 0;
    if (this.#state !== 'ESTABLISHED' || !this.#parser.atMessageBoundary) return 0;
    let pos = 0;
    while (pos < chunk.length) {
      const tid = knownOk.match(chunk, pos);
      if (tid === undefined || requester.takeSend(tid) === undefined) break;
      pos = knownOk.end;
    }
    return pos;
  }

  /**
   * Runs the parser on new input, or (without) resumes it after an AUTH lookup. A protocol error closes
   * this connection after what was already answered is written; no error escapes to the process.
   */
  #parse(data: Buffer | undefined): void {
    if (this.#state === 'DISCONNECTING' || this.#state === 'DISCONNECTED') return;
    // Coalesce what one read produces (heads, body slices, end-lines, responses) into few writes.
    const other = this.#other;
    other?.cork();
    this.#socket.cork();
    try {
      if (data === undefined) this.#parser.resume();
      else this.#parser.feed(data);
    } catch (error) {
      if (error instanceof MsrpProtocolError) {
        this.#relay.stats.protocolError();
        this.#log.warn(`Protocol error, closing connection: ${error.message}`, { kind: error.kind });
        this.#closeAfterWriting();
      } else {
        // A bug must cost one connection, not the process and every other session.
        this.#log.error('Unexpected error, closing connection', { err: error });
        this.#socket.destroy();
      }
    } finally {
      // What goes on first: the far side can answer it (B's 200) while the sender still reads our reply.
      other?.uncork();
      this.#socket.uncork();
    }
  }

  // ParserHandler: called by this connection's parser only.

  onHead(head: MsrpHead): void {
    if (this.#state === 'DISCONNECTING' || this.#state === 'DISCONNECTED') {
      this.#inbound = DISCARD;
    } else if (head.method === 'SEND') {
      this.#inbound = this.#onSendHead(head);
    } else if (!head.hasBody) {
      this.#inbound = { kind: 'bodiless', head };
    } else {
      this.#inbound = { kind: 'collect', head, chunks: [], size: 0 };
    }
  }

  onBody(slice: Buffer): void {
    const inbound = this.#inbound;
    if (inbound === undefined || inbound.kind === 'discard' || inbound.kind === 'bodiless') return;
    if (inbound.kind === 'forward') {
      inbound.destination.sendBody(inbound.send, slice);
      this.#applyBackpressure(inbound.destination);
      return;
    }
    inbound.size += slice.length;
    if (inbound.size > this.#runtime.settings.maxNonsendBody) {
      // msrprelay's answer (relay spec §3.11): the connection, and with it the session, is closed.
      this.#log.warn('Non-SEND request payload bigger than 10KB, closing connection');
      this.#inbound = DISCARD;
      this.#socket.destroy();
      return;
    }
    inbound.chunks.push(slice);
  }

  onEnd(flag: ContinuationFlag): void {
    const inbound = this.#inbound;
    this.#inbound = undefined;
    if (inbound === undefined || inbound.kind === 'discard') return;
    if (inbound.kind === 'forward') {
      inbound.destination.endSend(inbound.send, flag);
      if (inbound.send.confirm) this.respond(inbound.head, inbound.paths, 200, 'OK');
      this.#applyBackpressure(inbound.destination);
      return;
    }
    const body = inbound.kind === 'bodiless' ? NO_BODY : Buffer.concat(inbound.chunks);
    this.#onMessage(inbound.head, body, flag);
  }

  /** A SEND is relayed cut-through: its head goes on as soon as it is read (relay spec §3.6). */
  #onSendHead(head: MsrpHead): Inbound {
    const paths = this.#pathsOf(head);
    if (paths === undefined || !this.#acceptable(head, paths)) return DISCARD;
    if (this.#state === 'NEW') {
      if (paths.to.length < 2) return this.#reject(head, paths, 501, `Unknown method: SEND`);
      const sessionId = paths.to[0]?.sessionId;
      const session = sessionId === undefined ? undefined : this.#relay.unbound.get(sessionId);
      if (session === undefined) return this.#reject(head, paths, 481, NO_SESSION);
      this.#bindIncoming(session, paths);
    }
    const session = this.#session;
    if ((this.#state !== 'UNBOUND' && this.#state !== 'ESTABLISHED') || session === undefined) return DISCARD;
    const send = session.forwardSend(this, head, paths);
    const destination = this.#other;
    if (send === undefined || destination === undefined) return DISCARD;
    this.#applyBackpressure(destination);
    return { kind: 'forward', head, paths, send, destination };
  }

  /** A complete message other than a SEND: a request (AUTH included) or a response. */
  #onMessage(head: MsrpHead, body: Buffer, flag: ContinuationFlag): void {
    const paths = this.#pathsOf(head);
    if (paths === undefined || !this.#acceptable(head, paths)) return;
    const request = head.method !== undefined;
    if (this.#state === 'NEW') {
      if (head.method === 'AUTH' && paths.to.length === 1) this.#runtime.auth.authenticate(this, head, paths);
      else if (request) this.respond(head, paths, 501, `Unknown method: ${head.method}`);
      else this.#log.debug('Ignoring response on a connection without a session');
      return;
    }
    const session = this.#session;
    if ((this.#state !== 'UNBOUND' && this.#state !== 'ESTABLISHED') || session === undefined) return;
    const problem = session.mismatch(this, head, paths);
    if (problem !== undefined) {
      this.#reject(head, paths, 481, problem);
    } else if (head.method === 'AUTH') {
      this.#runtime.auth.refresh(this, session, head, paths);
    } else if (this.#state === 'UNBOUND') {
      this.#reject(head, paths, 481, `${NO_SESSION}: Non-SEND method received on unbound session`);
    } else if (!request) {
      const outcome = session.forwardResponse(this, head, paths);
      if (outcome === 'send-ok') {
        this.#knownOk ??= KnownOk.learn(head, paths);
      } else if (outcome === 'untracked') {
        this.#log.debug('Received response for untracked request');
      }
    } else if (session.forwardRequest(this, head, paths, body, flag) && this.#other !== undefined) {
      this.#applyBackpressure(this.#other);
    }
  }

  /**
   * The message's paths. Without To-Path or From-Path it is ignored, as msrprelay did. With paths that are
   * not MSRP URIs it is a protocol error: a request gets 400 where it can be addressed, and the connection
   * is closed (msrprelay ignored these too and left the connection waiting for its timer).
   */
  #pathsOf(head: MsrpHead): Paths | undefined {
    if (this.#state === 'UNBOUND' || this.#state === 'ESTABLISHED') this.#pathCache ??= new PathCache();
    const result = readPaths(head, this.#pathCache);
    if (result.kind === 'ok') return result.paths;
    if (result.kind === 'missing') {
      this.#log.debug('Ignoring message without To-Path or From-Path');
      return undefined;
    }
    if (head.method !== undefined && result.reply !== undefined) {
      this.#outbox.sendControl(
        response(head, 400, headerError(result.header), result.reply.to, result.reply.from),
      );
    }
    this.#relay.stats.protocolError();
    this.#log.warn(`Invalid ${result.header} header, closing connection`);
    this.#closeAfterWriting();
    return undefined;
  }

  /** Answers 400 to requests whose headers cannot be read; responses with such headers are dropped. */
  #acceptable(head: MsrpHead, paths: Paths): boolean {
    if (head.malformedLines > 0) {
      this.#reject(head, paths, 400, `${UNINTELLIGIBLE} (Malformed header line)`);
      return false;
    }
    const invalid = findInvalidHeader(head);
    if (invalid !== undefined) {
      this.#reject(head, paths, 400, headerError(invalid));
      return false;
    }
    return true;
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

  /** A remote relay or an active endpoint presents the first SEND of one of our sessions (spec §3.3). */
  #bindIncoming(session: Session, paths: Paths): void {
    this.#cancelInvalidTimer();
    this.#session = session;
    this.#path = KeptPath.of(paths.from);
    session.bindIncoming(this);
    this.#log.refresh();
    this.#log.info(`Found matching unbound session ${session.id}`);
  }

  /** Peer: the session is bound; an opened next hop stays CONNECTING until it is up. */
  establish(other: Peer): void {
    this.#other = other;
    if (this.#state !== 'CONNECTING') this.#state = 'ESTABLISHED';
  }

  openNextHop(next: MsrpUri, path: KeptPath): Peer {
    const runtime = this.#runtime;
    const { socket, readyEvent } = openNextHop(next, {
      secureContext: runtime.clientTls,
      verifyPeer: runtime.settings.verifyPeer,
      tlsSessions: runtime.nextHopSessions,
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
    this.#parser.pause();
    this.#pausedForAuth = true;
    this.#socket.pause();
  }

  releaseInput(): void {
    this.#pausedForAuth = false;
    this.resumeIfUnblocked();
    this.#parse(undefined);
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
    this.#outbox.sendControl(
      response(head, code, comment, paths.from[0]?.text ?? '', paths.to[0]?.text ?? '', headers),
    );
  }

  #reject(head: MsrpHead, paths: Paths, code: number, comment: string): Inbound {
    this.respond(head, paths, code, comment);
    return DISCARD;
  }

  sendControl(message: Buffer): void {
    this.#outbox.sendControl(message);
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
    this.#pendingSends ??= new PendingSends(
      this,
      this.#relay.deadlines,
      this.#runtime.settings.transactionTimeout * 1000,
    );
    return this.#pendingSends;
  }

  takeSend(tid: string): TrackedSend | undefined {
    return this.#pendingSends?.take(tid);
  }

  /** SendReporter: a REPORT from the relay itself to this connection's client about one of its SENDs. */
  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void {
    this.#outbox.sendControl(relayReport(tracked, code, comment, this.#relay.tids.next()));
  }

  trackRequest(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void {
    this.#pendingRequests ??= new PendingRequests(
      this.#outbox,
      this.#relay.deadlines,
      this.#runtime.settings.transactionTimeout * 1000,
    );
    this.#pendingRequests.add(head, tid, replyTo, replyFrom);
  }

  takeRequest(tid: string): TrackedRequest | undefined {
    return this.#pendingRequests?.take(tid);
  }

  // ---- flow control (relay spec §3.10) ---------------------------------------------------------------

  /**
   * Stop reading from this connection while what it feeds — its destination, or its own replies — is
   * backed up beyond the thresholds (applied in CONNECTING too).
   */
  #applyBackpressure(destination: Peer): void {
    if (this.#pausedForBackpressure || !this.#congested(destination)) return;
    this.#pausedForBackpressure = true;
    this.#socket.pause();
  }

  #congested(destination: Peer | undefined): boolean {
    const { queueMaxBytes, queueMaxMessages } = this.#runtime.settings;
    const own = this.#outbox;
    if (own.backlogBytes > queueMaxBytes || own.backlogItems > queueMaxMessages) return true;
    if (destination === undefined) return false;
    return destination.backlogBytes > queueMaxBytes || destination.backlogItems > queueMaxMessages;
  }

  #onDrain(): void {
    this.resumeIfUnblocked();
    this.#other?.resumeIfUnblocked();
  }

  resumeIfUnblocked(): void {
    if (this.#pausedForBackpressure && !this.#congested(this.#other)) this.#pausedForBackpressure = false;
    if (!this.#pausedForBackpressure && !this.#pausedForAuth && this.#state !== 'DISCONNECTED')
      this.#socket.resume();
  }

  // ---- teardown (relay spec §3.13) -------------------------------------------------------------------

  #onClosed(): void {
    if (this.#state === 'DISCONNECTED') return;
    this.#state = 'DISCONNECTED';
    this.#cancelInvalidTimer();
    this.#closeTimer?.cancel();
    this.#cancelTransactions();
    this.#relay.connections.delete(this);
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
    this.#pendingSends?.failAll('Session got disconnected');
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
  #closeAfterWriting(): void {
    this.#inbound = DISCARD;
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
    this.#pendingSends?.cancelAll();
    this.#pendingRequests?.cancelAll();
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
