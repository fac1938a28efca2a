/**
 * What one relay connection reads, and when: bytes into messages (the streaming parser), the checks every
 * message must pass (its paths and known headers, relay spec §3.4 step 1), and where each goes: a SEND's
 * head cut-through to its session and its body after it as it arrives (relay spec §3.6), an AUTH to the
 * AUTH handling, other requests and responses to the session. Reading stops while what the connection
 * feeds is backed up (relay spec §3.10) and while an AUTH is looked up. The connection keeps its state and
 * its writes.
 */
import type { ContinuationFlag, MsrpHead } from '../message.js';
import { MsrpParser } from '../parser.js';
import { MsrpProtocolError, type ParserHandler } from '../parser-types.js';
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
import { KnownOk } from './known-ok.js';
import { SendOk } from './send-ok.js';
import type { RelayPeer } from './peer.js';
import type { Session } from './session.js';

/** The connection a reader reads for. */
export interface ReaderOwner extends AuthClient {
  readonly session: Session | undefined;
  /** The session's other peer, once bound. */
  readonly other: RelayPeer | undefined;
  /** The first SEND of one of this relay's unbound sessions came on this connection (relay spec §3.3). */
  bindIncoming(session: Session, paths: Paths): void;
  /** Ends the connection once what is queued is written; nothing more is read. */
  closeAfterWriting(): void;
  /**
   * Set once an accepted connection carries lanes (accepted-lanes.ts): every message read from then on is
   * the lane's of its session, not this reader's.
   */
  readonly router: MessageRouter | undefined;
}

type Inbound =
  /** A message without a body section (most responses): complete at its end-line. */
  | { readonly kind: 'bodiless'; readonly head: MsrpHead }
  | { readonly kind: 'collect'; readonly head: MsrpHead; readonly chunks: Buffer[]; size: number }
  | {
      readonly kind: 'forward';
      readonly head: MsrpHead;
      readonly paths: Paths;
      readonly send: ForwardedSend;
      readonly destination: RelayPeer;
    }
  /** A message for one of the sessions of a connection that carries lanes: that lane's reader reads it. */
  | { readonly kind: 'routed'; readonly lane: ParserHandler }
  | { readonly kind: 'discard' };

/** Where a message an accepted connection reads goes, once the connection carries lanes. */
export interface MessageRouter {
  /** The lane of the message's session (bound now for another session's first SEND), or none: dropped. */
  route(head: MsrpHead): ParserHandler | undefined;
}

/** Where reading is stopped and started: the connection's socket, or a lane's share of a pooled one. */
export interface ReaderInput {
  pause(): void;
  resume(): void;
}

const DISCARD: Inbound = { kind: 'discard' };
const NO_BODY = Buffer.alloc(0);

export class PeerReader implements ParserHandler {
  readonly #owner: ReaderOwner;
  readonly #socket: ReaderInput;
  readonly #runtime: RelayRuntime;
  readonly #relay: RelayState;
  readonly #parser: MsrpParser;
  #inbound: Inbound | undefined;
  /** Only once a session is set up: before that, paths are read once or twice and need no cache. */
  #pathCache: PathCache | undefined;
  /** The next hop's plain 200, once one has been through every check (outgoing connections). */
  #knownOk: KnownOk | undefined;
  /** The 200 for the SENDs relayed from this connection, for its session's paths. */
  #sendOk: SendOk | undefined;
  #pausedForBackpressure = false;
  #pausedForAuth = false;

  constructor(owner: ReaderOwner, socket: ReaderInput, runtime: RelayRuntime, relay: RelayState) {
    this.#owner = owner;
    this.#socket = socket;
    this.#runtime = runtime;
    this.#relay = relay;
    this.#parser = new MsrpParser(this);
  }

  read(chunk: Buffer): void {
    const start = this.#consumeKnownOks(chunk);
    if (start === chunk.length) return;
    this.#parse(start === 0 ? chunk : chunk.subarray(start));
  }

  /**
   * Bytes in the relay's read buffer, which the next read overwrites: the next hop's known 200s are taken
   * from it in place, anything else is copied first (the parser and the writes keep slices of what they get).
   */
  readShared(view: Buffer): void {
    const start = this.#consumeKnownOks(view);
    if (start === view.length) return;
    this.#parse(Buffer.from(view.subarray(start)));
  }

  /** Reads and delivers nothing more after the current message until `release` (an AUTH is looked up). */
  hold(): void {
    this.#parser.pause();
    this.#pausedForAuth = true;
    this.#socket.pause();
  }

  release(): void {
    this.#pausedForAuth = false;
    this.resumeIfUnblocked();
    this.#parse(undefined);
  }

  /**
   * Stop reading from this connection while what it feeds — its destination, or the control messages it
   * has not read (RelayPeer.unreadControlBytes) — is backed up beyond the thresholds (relay spec §3.10,
   * applied in CONNECTING too).
   */
  #applyBackpressure(destination: RelayPeer): void {
    if (this.#pausedForBackpressure || !this.#congested(destination)) return;
    this.#pausedForBackpressure = true;
    this.#socket.pause();
  }

  #congested(destination: RelayPeer | undefined): boolean {
    const { queueMaxBytes, queueMaxMessages } = this.#runtime.settings;
    if (this.#owner.unreadControlBytes > queueMaxBytes) return true;
    if (destination === undefined) return false;
    return destination.backlogBytes > queueMaxBytes || destination.backlogItems > queueMaxMessages;
  }

  /** Something this connection feeds was written (or connected): reading may go on. */
  resumeIfUnblocked(): void {
    if (this.#pausedForBackpressure && !this.#congested(this.#owner.other))
      this.#pausedForBackpressure = false;
    if (!this.#pausedForBackpressure && !this.#pausedForAuth && this.#owner.state !== 'DISCONNECTED')
      this.#socket.resume();
  }

  /**
   * The 200s for forwarded SENDs at the start of `chunk` that have the bytes of one already checked (see
   * KnownOk): each ends its transaction as a parsed one would. Returns where the rest of the chunk begins.
   */
  #consumeKnownOks(chunk: Buffer): number {
    const knownOk = this.#knownOk;
    const requester = this.#owner.other;
    if (knownOk === undefined || requester === undefined) return 0;
    if (this.#owner.state !== 'ESTABLISHED' || !this.#parser.atMessageBoundary) return 0;
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
   * the connection after what was already answered is written; no error escapes to the process.
   */
  #parse(data: Buffer | undefined): void {
    const owner = this.#owner;
    if (owner.state === 'DISCONNECTING' || owner.state === 'DISCONNECTED') return;
    // Coalesce what one read produces (heads, body slices, end-lines, responses) into few writes.
    const other = owner.other;
    other?.cork();
    owner.cork();
    try {
      if (data === undefined) this.#parser.resume();
      else this.#parser.feed(data);
    } catch (error) {
      if (error instanceof MsrpProtocolError) {
        this.#relay.stats.protocolError();
        owner.log.warn(`Protocol error, closing connection: ${error.message}`, { kind: error.kind });
        this.#closeAfterWriting();
      } else {
        // A bug must cost one connection, not the process and every other session.
        owner.log.error('Unexpected error, closing connection', { err: error });
        owner.destroy();
      }
    } finally {
      // What goes on first: the far side can answer it (B's 200) while the sender still reads our reply.
      other?.uncork();
      owner.uncork();
    }
  }

  // ParserHandler: called by this reader's parser only.

  onHead(head: MsrpHead): void {
    const state = this.#owner.state;
    const router = this.#owner.router;
    if (state === 'DISCONNECTING' || state === 'DISCONNECTED') {
      this.#inbound = DISCARD;
    } else if (router !== undefined) {
      this.#inbound = routed(router, head);
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
    if (inbound.kind === 'routed') {
      inbound.lane.onBody(slice);
      return;
    }
    if (inbound.kind === 'forward') {
      inbound.destination.sendBody(inbound.send, slice);
      this.#applyBackpressure(inbound.destination);
      return;
    }
    inbound.size += slice.length;
    if (inbound.size > this.#runtime.settings.maxNonsendBody) {
      // msrprelay's answer (relay spec §3.11): the connection, and with it the session, is closed.
      this.#owner.log.warn('Non-SEND request payload bigger than 10KB, closing connection');
      this.#inbound = DISCARD;
      this.#owner.destroy();
      return;
    }
    inbound.chunks.push(slice);
  }

  onEnd(flag: ContinuationFlag): void {
    const inbound = this.#inbound;
    this.#inbound = undefined;
    if (inbound === undefined || inbound.kind === 'discard') return;
    if (inbound.kind === 'routed') {
      inbound.lane.onEnd(flag);
      return;
    }
    if (inbound.kind === 'forward') {
      inbound.destination.endSend(inbound.send, flag);
      if (inbound.send.confirm) {
        this.#sendOk = SendOk.of(inbound.paths, this.#sendOk);
        this.#owner.sendControl(this.#sendOk.answer(inbound.head.tid));
      }
      this.#applyBackpressure(inbound.destination);
      return;
    }
    const body = inbound.kind === 'bodiless' ? NO_BODY : Buffer.concat(inbound.chunks);
    this.#onMessage(inbound.head, body, flag);
  }

  /** A SEND is relayed cut-through: its head goes on as soon as it is read (relay spec §3.6). */
  #onSendHead(head: MsrpHead): Inbound {
    const owner = this.#owner;
    const paths = this.#pathsOf(head);
    if (paths === undefined || !this.#acceptable(head, paths)) return DISCARD;
    if (owner.state === 'NEW') {
      if (paths.to.length < 2) return this.#reject(head, paths, 501, `Unknown method: SEND`);
      const sessionId = paths.to[0]?.sessionId;
      const session = sessionId === undefined ? undefined : this.#relay.unbound.get(sessionId);
      if (session === undefined) return this.#reject(head, paths, 481, NO_SESSION);
      owner.bindIncoming(session, paths);
      // A relay's connection carries its sessions as lanes, this one included (accepted-lanes.ts).
      const router = owner.router;
      if (router !== undefined) return routed(router, head);
    }
    const session = owner.session;
    if ((owner.state !== 'UNBOUND' && owner.state !== 'ESTABLISHED') || session === undefined) return DISCARD;
    const send = session.forwardSend(owner, head, paths);
    const destination = owner.other;
    if (send === undefined || destination === undefined) return DISCARD;
    this.#applyBackpressure(destination);
    return { kind: 'forward', head, paths, send, destination };
  }

  /** A complete message other than a SEND: a request (AUTH included) or a response. */
  #onMessage(head: MsrpHead, body: Buffer, flag: ContinuationFlag): void {
    const owner = this.#owner;
    const paths = this.#pathsOf(head);
    if (paths === undefined || !this.#acceptable(head, paths)) return;
    const request = head.method !== undefined;
    if (owner.state === 'NEW') {
      if (head.method === 'AUTH' && paths.to.length === 1)
        this.#runtime.auth.authenticate(owner, head, paths);
      else if (request) owner.respond(head, paths, 501, `Unknown method: ${head.method}`);
      else owner.log.debug('Ignoring response on a connection without a session');
      return;
    }
    const session = owner.session;
    if ((owner.state !== 'UNBOUND' && owner.state !== 'ESTABLISHED') || session === undefined) return;
    const problem = session.mismatch(owner, head, paths);
    if (problem !== undefined) {
      this.#reject(head, paths, 481, problem);
    } else if (head.method === 'AUTH') {
      this.#runtime.auth.refresh(owner, session, head, paths);
    } else if (owner.state === 'UNBOUND') {
      this.#reject(head, paths, 481, `${NO_SESSION}: Non-SEND method received on unbound session`);
    } else if (!request) {
      const outcome = session.forwardResponse(owner, head, paths);
      if (outcome === 'send-ok') this.#knownOk ??= KnownOk.learn(head, paths);
      else if (outcome === 'untracked') owner.log.debug('Received response for untracked request');
    } else if (session.forwardRequest(owner, head, paths, body, flag) && owner.other !== undefined) {
      this.#applyBackpressure(owner.other);
    }
  }

  /**
   * The message's paths. Without To-Path or From-Path it is ignored, as msrprelay did. With paths that are
   * not MSRP URIs it is a protocol error: a request gets 400 where it can be addressed, and the connection
   * is closed (msrprelay ignored these too and left the connection waiting for its timer).
   */
  #pathsOf(head: MsrpHead): Paths | undefined {
    const owner = this.#owner;
    if (owner.state === 'UNBOUND' || owner.state === 'ESTABLISHED') this.#pathCache ??= new PathCache();
    const result = readPaths(head, this.#pathCache);
    if (result.kind === 'ok') return result.paths;
    if (result.kind === 'missing') {
      owner.log.debug('Ignoring message without To-Path or From-Path');
      return undefined;
    }
    if (head.method !== undefined && result.reply !== undefined) {
      owner.sendControl(response(head, 400, headerError(result.header), result.reply.to, result.reply.from));
    }
    this.#relay.stats.protocolError();
    owner.log.warn(`Invalid ${result.header} header, closing connection`);
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

  #reject(head: MsrpHead, paths: Paths, code: number, comment: string): Inbound {
    this.#owner.respond(head, paths, code, comment);
    return DISCARD;
  }

  #closeAfterWriting(): void {
    this.#inbound = DISCARD;
    this.#owner.closeAfterWriting();
  }
}

/** The head goes to the lane of its session, and so will its body and end-line. */
function routed(router: MessageRouter, head: MsrpHead): Inbound {
  const lane = router.route(head);
  if (lane === undefined) return DISCARD;
  lane.onHead(head);
  return { kind: 'routed', lane };
}
