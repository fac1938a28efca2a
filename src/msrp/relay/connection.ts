/**
 * One TCP/TLS connection of the relay (msrprelay's "Peer"), incoming or outgoing, and its state machine
 * (spec §3.2): NEW → UNBOUND (after AUTH) → ESTABLISHED (bound to its other side), or CONNECTING →
 * ESTABLISHED for the connections the relay opens itself.
 */
import type { Socket } from 'node:net';
import type { Timer } from '../../time/clock.js';
import { parseByteRange, parseFailureReport } from '../headers.js';
import type { ContinuationFlag, Header, MsrpHead } from '../message.js';
import { MsrpParser, MsrpProtocolError, type ParserHandler } from '../parser.js';
import { detachedCopy } from '../../text/detached-copy.js';
import { formatPath, makeMsrpUri } from '../uri.js';
import { closing, forwardedHead, passThroughHeaders, response } from '../wire.js';
import {
  findInvalidHeader,
  headerError,
  NO_SESSION,
  PathCache,
  type Paths,
  readPaths,
  UNINTELLIGIBLE,
} from './checks.js';
import { authRealm, authRequestOf, expiresOf, grantHeaders, refreshHeaders } from './auth-answers.js';
import type { AuthSuccess } from './authenticator.js';
import type { RelayRuntime, RelayState } from './context.js';
import { ForwardedSend } from './forwarded-send.js';
import { KeptPath } from './kept-path.js';
import { KnownOk } from './known-ok.js';
import { LazyLog, type LogContext } from './lazy-log.js';
import { openNextHop } from './next-hop.js';
import { Outbox } from './outbox.js';
import { PendingSends, type SendReporter } from './pending-sends.js';
import { SendTracker, UNTRACKED } from './send-tracker.js';
import { Session } from './session.js';
import { relayReport, type TrackedRequest, type TrackedSend } from './transactions.js';

export type PeerState = 'NEW' | 'UNBOUND' | 'CONNECTING' | 'ESTABLISHED' | 'DISCONNECTING' | 'DISCONNECTED';

type Inbound =
  /** A message without a body section (most responses): complete at its end-line. */
  | { readonly kind: 'bodiless'; readonly head: MsrpHead }
  | { readonly kind: 'collect'; readonly head: MsrpHead; readonly chunks: Buffer[]; size: number }
  | {
      readonly kind: 'forward';
      readonly head: MsrpHead;
      readonly paths: Paths;
      readonly send: ForwardedSend;
      readonly destination: Connection;
      readonly hopResponse: boolean;
    }
  | { readonly kind: 'discard' };

const DISCARD: Inbound = { kind: 'discard' };
const NO_BODY = Buffer.alloc(0);
const FORWARDED_WITHOUT_OTHER_METHODS = new Set(['SEND', 'REPORT', 'NICKNAME']);

/**
 * The sockets' listeners are shared by all connections and find theirs on the socket: four closures per
 * socket were a good part of what an idle session costs.
 */
const CONNECTION = Symbol('missive.connection');
type RelaySocket = Socket & { [CONNECTION]?: Connection };

function onSocketData(this: RelaySocket, chunk: Buffer): void {
  this[CONNECTION]?.onData(chunk);
}

function onSocketDrain(this: RelaySocket): void {
  this[CONNECTION]?.onDrain();
}

function onSocketError(this: RelaySocket, error: Error): void {
  this[CONNECTION]?.onError(error);
}

function onSocketClose(this: RelaySocket): void {
  this[CONNECTION]?.onClosed();
}

/**
 * The per-connection structures below that only some connections need (transaction maps, path cache) are
 * made on first use: an idle authenticated session should cost little more than its socket.
 */
export class Connection implements ParserHandler, SendReporter, LogContext {
  state: PeerState;
  /** The URIs that identify the far side of this connection (spec §3.1). */
  path: KeptPath = KeptPath.none;
  other: Connection | undefined;
  session: Session | undefined;
  readonly outbox: Outbox;
  /** SEND parts forwarded from this connection awaiting their response; made with the first one. */
  pendingSends: PendingSends | undefined;
  private otherTransactions: Map<string, TrackedRequest> | undefined;
  private readonly parser: MsrpParser;
  /** Only once a session is set up: before that, paths are read once or twice and need no cache. */
  private pathCache: PathCache | undefined;
  private inbound: Inbound | undefined;
  /** The next hop's plain 200, once one has been through every check (outgoing connections). */
  private knownOk: KnownOk | undefined;
  private authAttempts = 0;
  private invalidTimer: Timer | undefined;
  private closeTimer: Timer | undefined;
  private pausedForBackpressure = false;
  private pausedForAuth = false;
  private readonly log: LazyLog;
  readonly remoteAddress: string;

  constructor(
    readonly socket: Socket,
    private readonly runtime: RelayRuntime,
    private readonly relay: RelayState,
    private readonly direction: 'incoming' | 'outgoing',
  ) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.log = new LazyLog(relay.logger, this);
    this.outbox = new Outbox(socket, relay.tids, relay.stats);
    this.parser = new MsrpParser(this);
    relay.connections.add(this);
    socket.setNoDelay(true);
    (socket as RelaySocket)[CONNECTION] = this;
    socket.on('data', onSocketData);
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    if (direction === 'incoming') {
      this.state = 'NEW';
      this.outbox.start();
      this.invalidTimer = relay.clock.schedule(runtime.settings.invalidConnectionTimeout * 1000, () => {
        this.log.warn('No valid MSRP message received, disconnecting');
        this.socket.destroy();
      });
    } else {
      this.state = 'CONNECTING';
    }
  }

  logBindings(): Record<string, string> {
    const socket = this.socket;
    const address = this.remoteAddress || normalizeAddress(socket.remoteAddress ?? '');
    const bindings: Record<string, string> = { peer: `${address}:${socket.remotePort ?? 0}` };
    const session = this.session;
    if (session !== undefined) {
      bindings.session = session.id;
      bindings.user = `${session.username}@${session.realm}`;
    }
    if (this.direction === 'outgoing') bindings.nextHop = this.path.uris[0]?.text ?? '';
    return bindings;
  }

  // ---- socket events (from the shared listeners above) ---------------------------------------------

  onData(chunk: Buffer): void {
    const start = this.consumeKnownOks(chunk);
    if (start === chunk.length) return;
    const data = start === 0 ? chunk : chunk.subarray(start);
    this.parse(() => {
      this.parser.feed(data);
    });
  }

  /**
   * The 200s for forwarded SENDs at the start of `chunk` that have the bytes of one already checked (see
   * KnownOk): each ends its transaction as onResponse would. Returns where the rest of the chunk begins.
   */
  private consumeKnownOks(chunk: Buffer): number {
    const knownOk = this.knownOk;
    const pending = this.other?.pendingSends;
    if (knownOk === undefined || pending === undefined) return 0;
    if (this.state !== 'ESTABLISHED' || !this.parser.atMessageBoundary) return 0;
    let pos = 0;
    while (pos < chunk.length) {
      const tid = knownOk.match(chunk, pos);
      if (tid === undefined || pending.take(tid) === undefined) break;
      pos = knownOk.end;
    }
    return pos;
  }

  /**
   * Runs the parser (on new input, or resuming after an AUTH lookup). A protocol error closes this
   * connection after what was already answered is written; no error escapes to the process.
   */
  private parse(step: () => void): void {
    if (this.state === 'DISCONNECTING' || this.state === 'DISCONNECTED') return;
    // Coalesce what one read produces (heads, body slices, end-lines, responses) into few writes.
    const otherSocket = this.other?.socket;
    otherSocket?.cork();
    this.socket.cork();
    try {
      step();
    } catch (error) {
      if (error instanceof MsrpProtocolError) {
        this.relay.stats.protocolErrors++;
        this.log.warn(`Protocol error, closing connection: ${error.message}`, { kind: error.kind });
        this.closeAfterWriting();
      } else {
        // A bug must cost one connection, not the process and every other session.
        this.log.error('Unexpected error, closing connection', { err: error });
        this.socket.destroy();
      }
    } finally {
      // What goes on first: the far side can answer it (B's 200) while the sender still reads our reply.
      otherSocket?.uncork();
      this.socket.uncork();
    }
  }

  // ParserHandler: called by this connection's parser only.

  onHead(head: MsrpHead): void {
    if (this.state === 'DISCONNECTING' || this.state === 'DISCONNECTED') {
      this.inbound = DISCARD;
    } else if (head.method === 'SEND') {
      this.inbound = this.onSendHead(head);
    } else if (!head.hasBody) {
      this.inbound = { kind: 'bodiless', head };
    } else {
      this.inbound = { kind: 'collect', head, chunks: [], size: 0 };
    }
  }

  onBody(slice: Buffer): void {
    const inbound = this.inbound;
    if (inbound === undefined || inbound.kind === 'discard' || inbound.kind === 'bodiless') return;
    if (inbound.kind === 'forward') {
      inbound.destination.outbox.sendBody(inbound.send, slice);
      this.applyBackpressure(inbound.destination);
      return;
    }
    inbound.size += slice.length;
    if (inbound.size > this.runtime.settings.maxNonsendBody) {
      // msrprelay's answer (spec §3.11): the connection, and with it the session, is closed.
      this.log.warn('Non-SEND request payload bigger than 10KB, closing connection');
      this.inbound = DISCARD;
      this.socket.destroy();
      return;
    }
    inbound.chunks.push(slice);
  }

  onEnd(flag: ContinuationFlag): void {
    const inbound = this.inbound;
    this.inbound = undefined;
    if (inbound === undefined || inbound.kind === 'discard') return;
    if (inbound.kind === 'forward') {
      inbound.destination.outbox.endSend(inbound.send, flag);
      if (inbound.hopResponse) this.respond(inbound.head, inbound.paths, 200, 'OK');
      this.applyBackpressure(inbound.destination);
      return;
    }
    const body = inbound.kind === 'bodiless' ? NO_BODY : Buffer.concat(inbound.chunks);
    this.onMessage(inbound.head, body, flag);
  }

  // ---- SEND (cut-through) ----------------------------------------------------------------------

  private onSendHead(head: MsrpHead): Inbound {
    const paths = this.pathsOf(head);
    if (paths === undefined || !this.acceptable(head, paths)) return DISCARD;
    if (this.state === 'NEW') {
      const sessionId = paths.to[0]?.sessionId;
      if (paths.to.length < 2) return this.reject(head, paths, 501, `Unknown method: SEND`);
      const session = sessionId === undefined ? undefined : this.relay.unbound.get(sessionId);
      if (session === undefined) return this.reject(head, paths, 481, NO_SESSION);
      this.bindIncoming(session, paths);
    }
    if (this.state !== 'UNBOUND' && this.state !== 'ESTABLISHED') return DISCARD;
    const problem = this.boundCheck(head, paths);
    if (problem !== undefined) return this.reject(head, paths, 481, problem);
    const messageId = head.headers.get('Message-ID');
    if (messageId === undefined) {
      return this.reject(head, paths, 400, `${UNINTELLIGIBLE} (SEND received without Message-ID)`);
    }
    const rangeText = head.headers.get('Byte-Range');
    const range = rangeText === undefined ? undefined : parseByteRange(rangeText);
    if (range === undefined) {
      return this.reject(head, paths, 400, `${UNINTELLIGIBLE} (SEND received without Byte-Range)`);
    }
    if (this.state === 'UNBOUND') this.connectOutbound(paths);
    const destination = this.other;
    if (destination === undefined) return DISCARD;

    const failureReport = parseFailureReport(head.headers.get('Failure-Report') ?? 'yes') ?? 'yes';
    const reportFrom = paths.to[0]?.text ?? '';
    const send = new ForwardedSend(
      this.relay.tids.next(),
      formatPath(paths.to.slice(1)),
      `${reportFrom} ${paths.fromText}`,
      passThroughHeaders(head),
      head.hasBody,
      range,
      failureReport === 'no'
        ? UNTRACKED
        : new SendTracker(this.sendsOwner(), paths.fromText, reportFrom, messageId, range.total),
    );
    destination.outbox.startSend(send);
    this.applyBackpressure(destination);
    return { kind: 'forward', head, paths, send, destination, hopResponse: failureReport === 'yes' };
  }

  private sendsOwner(): PendingSends {
    this.pendingSends ??= new PendingSends(
      this,
      this.relay.deadlines,
      this.runtime.settings.transactionTimeout * 1000,
    );
    return this.pendingSends;
  }

  // ---- complete messages (non-SEND requests, responses) -----------------------------------------

  private onMessage(head: MsrpHead, body: Buffer, flag: ContinuationFlag): void {
    const paths = this.pathsOf(head);
    if (paths === undefined || !this.acceptable(head, paths)) return;
    const request = head.method !== undefined;
    if (this.state === 'NEW') {
      if (head.method === 'AUTH' && paths.to.length === 1) this.authenticate(head, paths);
      else if (request) this.respond(head, paths, 501, `Unknown method: ${head.method}`);
      else this.log.debug('Ignoring response on a connection without a session');
      return;
    }
    if (this.state !== 'UNBOUND' && this.state !== 'ESTABLISHED') return;
    const problem = this.boundCheck(head, paths);
    if (problem !== undefined) {
      this.reject(head, paths, 481, problem);
    } else if (head.method === 'AUTH') {
      this.refreshAuth(head, paths);
    } else if (this.state === 'UNBOUND') {
      this.reject(head, paths, 481, `${NO_SESSION}: Non-SEND method received on unbound session`);
    } else if (!request) {
      this.onResponse(head, paths);
    } else {
      this.forwardRequest(head, paths, body, flag);
    }
  }

  /**
   * The message's paths. Without To-Path or From-Path it is ignored, as msrprelay did. With paths that are
   * not MSRP URIs it is a protocol error: a request gets 400 where it can be addressed, and the connection
   * is closed (msrprelay ignored these too and left the connection waiting for its timer).
   */
  private pathsOf(head: MsrpHead): Paths | undefined {
    if (this.state === 'UNBOUND' || this.state === 'ESTABLISHED') this.pathCache ??= new PathCache();
    const result = readPaths(head, this.pathCache);
    if (result.kind === 'ok') return result.paths;
    if (result.kind === 'missing') {
      this.log.debug('Ignoring message without To-Path or From-Path');
      return undefined;
    }
    if (head.method !== undefined && result.reply !== undefined) {
      this.outbox.sendControl(
        response(head, 400, headerError(result.header), result.reply.to, result.reply.from),
      );
    }
    this.relay.stats.protocolErrors++;
    this.log.warn(`Invalid ${result.header} header, closing connection`);
    this.closeAfterWriting();
    return undefined;
  }

  /** Answers 400 to requests whose headers cannot be read; responses with such headers are dropped. */
  private acceptable(head: MsrpHead, paths: Paths): boolean {
    if (head.malformedLines > 0) {
      this.reject(head, paths, 400, `${UNINTELLIGIBLE} (Malformed header line)`);
      return false;
    }
    const invalid = findInvalidHeader(head);
    if (invalid !== undefined) {
      this.reject(head, paths, 400, headerError(invalid));
      return false;
    }
    return true;
  }

  /** Spec §3.4 steps 2–4 and 7; returns the 481 comment of the first failing check. */
  private boundCheck(head: MsrpHead, paths: Paths): string | undefined {
    const own = this.session?.id;
    if (paths.to[0]?.sessionId !== own) return `${NO_SESSION}: Wrong session id on relay MSRP URI`;
    if (paths.to.length === 1 && head.method !== undefined && head.method !== 'AUTH') {
      return `${NO_SESSION}: Non-response with me as endpoint, nowhere to relay to`;
    }
    if (!this.path.matchesFromPath(paths.from))
      return `${NO_SESSION}: From-Path does not match session source`;
    if (head.method !== 'AUTH' && this.state === 'ESTABLISHED' && this.other !== undefined) {
      if (!this.other.path.matchesToPathRest(paths.to)) {
        return `${NO_SESSION}: To-Path does not match session destination`;
      }
    }
    return undefined;
  }

  private forwardRequest(head: MsrpHead, paths: Paths, body: Buffer, flag: ContinuationFlag): void {
    const method = head.method ?? '';
    if (!this.runtime.settings.allowOtherMethods && !FORWARDED_WITHOUT_OTHER_METHODS.has(method)) {
      this.respond(head, paths, 501, `Unknown method: ${method}`);
      return;
    }
    const destination = this.other;
    if (destination === undefined) return;
    const tid = this.relay.tids.next();
    const to = paths.to[0]?.text ?? '';
    const start = forwardedHead(
      `MSRP ${tid} ${method}`,
      formatPath(paths.to.slice(1)),
      `${to} ${paths.fromText}`,
      passThroughHeaders(head),
      head.hasBody,
    );
    destination.outbox.sendControl(
      Buffer.concat([Buffer.from(start, 'utf8'), body, Buffer.from(closing(tid, flag, head.hasBody))]),
    );
    // REPORTs and Failure-Report: no requests get no response: nothing to wait for (msrprelay leaked these).
    if (method !== 'REPORT' && head.headers.get('Failure-Report')?.trim() !== 'no') {
      const replyTo = paths.from[0]?.text ?? '';
      this.otherTransactions ??= new Map();
      this.otherTransactions.set(tid, {
        originalTid: head.tid,
        replyTo,
        replyFrom: to,
        timer: this.relay.deadlines.add(this.runtime.settings.transactionTimeout * 1000, () => {
          this.otherTransactions?.delete(tid);
          this.outbox.sendControl(response(head, 408, 'Downstream transaction timed out', replyTo, to));
        }),
      });
    }
    this.applyBackpressure(destination);
  }

  /** A response arriving here answers a request this relay forwarded from the other side (spec §3.7). */
  private onResponse(head: MsrpHead, paths: Paths): void {
    const requester = this.other;
    if (requester === undefined) return;
    const tracked = requester.pendingSends?.take(head.tid);
    if (tracked !== undefined) {
      if (head.status !== 200) requester.reportSend(tracked, head.status ?? 0, head.comment);
      else if (this.state === 'ESTABLISHED') this.knownOk ??= KnownOk.learn(head, paths);
      return;
    }
    const request = requester.otherTransactions?.get(head.tid);
    if (request === undefined) {
      this.log.debug('Received response for untracked request');
      return;
    }
    requester.otherTransactions?.delete(head.tid);
    request.timer.cancel();
    const comment = head.comment === undefined ? '' : ` ${head.comment}`;
    const text = forwardedHead(
      `MSRP ${request.originalTid} ${head.status ?? 0}${comment}`,
      formatPath(paths.to.slice(1)),
      `${paths.to[0]?.text ?? ''} ${paths.fromText}`,
      passThroughHeaders(head),
      false,
    );
    requester.outbox.sendControl(Buffer.from(text + closing(request.originalTid, '$', false), 'utf8'));
  }

  /** SendReporter: a REPORT from the relay itself to this connection's client about one of its SENDs. */
  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void {
    this.outbox.sendControl(relayReport(tracked, code, comment, this.relay.tids.next()));
  }

  // ---- AUTH ------------------------------------------------------------------------------------

  private authenticate(head: MsrpHead, paths: Paths): void {
    const settings = this.runtime.settings;
    if (paths.to[0] === undefined) return;
    const request = authRequestOf(head, paths, settings, {
      ip: this.remoteAddress,
      secure: this.runtime.secure,
    });
    if (request.authorization === undefined) {
      this.respond(head, paths, 401, 'Unauthenticated', this.runtime.authenticator.challenge(request));
      return;
    }
    // Bounds first, so that a 423 does not spend the nonce the client will answer again with.
    const expires = this.boundedExpires(head, paths);
    if (expires === undefined) return;
    // Further messages wait until the (possibly remote) credential lookup has answered.
    this.parser.pause();
    this.pausedForAuth = true;
    this.socket.pause();
    this.runtime.authenticator
      .authenticate(request)
      .then(
        (outcome) => {
          if (this.state !== 'NEW') return;
          switch (outcome.kind) {
            case 'challenge':
              this.respond(head, paths, 401, 'Unauthenticated', outcome.headers);
              return;
            case 'error':
              this.respond(head, paths, outcome.code, outcome.comment);
              return;
            case 'login-failed':
              this.loginFailed(head, paths, outcome.username, outcome.reason);
              return;
            case 'success':
              this.createSession(head, paths, expires, outcome);
          }
        },
        (error: unknown) => {
          this.log.error('AUTH failed unexpectedly', { err: String(error) });
          this.socket.destroy();
        },
      )
      .finally(() => {
        this.pausedForAuth = false;
        this.resumeIfUnblocked();
        this.parse(() => {
          this.parser.resume();
        });
      });
  }

  private loginFailed(head: MsrpHead, paths: Paths, username: string, reason: string): void {
    this.relay.stats.authFailures++;
    if (this.runtime.settings.logFailedAuth)
      this.log.warn(`AUTH failed for username "${username}": ${reason}`);
    if (++this.authAttempts >= this.runtime.settings.maxAuthAttempts) {
      this.socket.destroy();
      return;
    }
    this.respond(head, paths, 403, `Unauthorized: Login failed: ${reason}`);
  }

  /** The AUTH's Expires, or undefined once answered 423 (spec §2.6). */
  private boundedExpires(head: MsrpHead, paths: Paths): number | undefined {
    const expires = expiresOf(this.runtime.settings, head);
    if (typeof expires === 'number') return expires;
    this.respond(head, paths, 423, 'Parameter out of bounds', [expires]);
    return undefined;
  }

  private createSession(
    head: MsrpHead,
    paths: Paths,
    expires: number,
    { username: receivedUsername, nonce, authenticationInfo }: AuthSuccess,
  ): void {
    // Copies: the session keeps these for its lifetime, and slices would keep the whole AUTH message alive.
    const realm = detachedCopy(authRealm(this.runtime.settings, paths));
    const id = nonce === undefined ? this.relay.tids.next() : detachedCopy(nonce);
    const username = detachedCopy(receivedUsername);
    const relayUri = makeMsrpUri({
      secure: this.runtime.secure,
      host: this.runtime.hostname,
      port: this.runtime.port,
      sessionId: id,
    });
    const session = new Session(id, username, realm, expires, this, this.relay.clock.now());
    this.session = session;
    this.path = KeptPath.of(paths.from);
    this.state = 'UNBOUND';
    this.cancelInvalidTimer();
    this.relay.unbound.set(id, session);
    this.relay.stats.sessionsCreated++;
    this.log.refresh();
    this.log.info('AUTH succeeded, creating new session');
    this.respond(head, paths, 200, 'OK', grantHeaders(paths, relayUri, expires, authenticationInfo));
  }

  private refreshAuth(head: MsrpHead, paths: Paths): void {
    const expires = this.boundedExpires(head, paths);
    if (expires === undefined || this.session === undefined) return;
    this.session.expires = expires;
    this.respond(head, paths, 200, 'OK', refreshHeaders(paths, expires));
  }

  // ---- binding ---------------------------------------------------------------------------------

  /** A remote relay or an active endpoint presents the first SEND of one of our sessions (spec §3.3). */
  private bindIncoming(session: Session, paths: Paths): void {
    const source = session.source;
    this.relay.unbound.delete(session.id);
    this.cancelInvalidTimer();
    this.session = session;
    this.path = KeptPath.of(paths.from);
    this.other = source;
    this.state = 'ESTABLISHED';
    source.other = this;
    source.state = 'ESTABLISHED';
    session.destination = this;
    this.relay.stats.sessionsBound++;
    this.log.refresh();
    this.log.info(`Found matching unbound session ${session.id}`);
  }

  /** The first SEND of an unbound session: open the session's connection to the next hop (spec §3.5). */
  private connectOutbound(paths: Paths): void {
    const session = this.session;
    const next = paths.to[1];
    if (session === undefined || next === undefined) return;
    const { socket, readyEvent } = openNextHop(next, {
      secureContext: this.runtime.clientTls,
      verifyPeer: this.runtime.settings.verifyPeer,
      tlsSessions: this.runtime.nextHopSessions,
    });
    const outgoing = new Connection(socket, this.runtime, this.relay, 'outgoing');
    outgoing.session = session;
    outgoing.path = KeptPath.of(paths.to.slice(1));
    outgoing.other = this;
    this.other = outgoing;
    this.state = 'ESTABLISHED';
    session.destination = outgoing;
    this.relay.unbound.delete(session.id);
    this.relay.stats.sessionsBound++;
    const timeout = this.relay.clock.schedule(this.runtime.settings.connectTimeout * 1000, () => {
      if (outgoing.state === 'CONNECTING') socket.destroy(new Error('connection timed out'));
    });
    socket.once(readyEvent, () => {
      timeout.cancel();
      outgoing.onConnected();
    });
    socket.once('close', () => {
      timeout.cancel();
    });
  }

  onError(error: Error): void {
    this.log.warn(`Connection with ${this.describeFarEnd()} failed: ${error.message}`);
  }

  private onConnected(): void {
    if (this.state !== 'CONNECTING') return;
    this.state = 'ESTABLISHED';
    this.log.debug('Successfully connected');
    this.outbox.start();
    this.other?.resumeIfUnblocked();
  }

  // ---- flow control ----------------------------------------------------------------------------

  /**
   * Stop reading from this connection while what it feeds — its destination, or its own replies — is
   * backed up beyond the thresholds (spec §3.10, applied in CONNECTING too).
   */
  private applyBackpressure(destination: Connection): void {
    if (this.pausedForBackpressure || !this.congested(destination)) return;
    this.pausedForBackpressure = true;
    this.socket.pause();
  }

  private congested(destination: Connection | undefined): boolean {
    const { queueMaxBytes, queueMaxMessages } = this.runtime.settings;
    const own = this.outbox;
    if (own.backlogBytes > queueMaxBytes || own.backlogItems > queueMaxMessages) return true;
    if (destination === undefined) return false;
    return (
      destination.outbox.backlogBytes > queueMaxBytes || destination.outbox.backlogItems > queueMaxMessages
    );
  }

  onDrain(): void {
    this.resumeIfUnblocked();
    this.other?.resumeIfUnblocked();
  }

  private resumeIfUnblocked(): void {
    if (this.pausedForBackpressure && !this.congested(this.other)) this.pausedForBackpressure = false;
    if (!this.pausedForBackpressure && !this.pausedForAuth && this.state !== 'DISCONNECTED')
      this.socket.resume();
  }

  // ---- teardown --------------------------------------------------------------------------------

  onClosed(): void {
    const previous = this.state;
    if (previous === 'DISCONNECTED') return;
    this.state = 'DISCONNECTED';
    this.cancelInvalidTimer();
    this.closeTimer?.cancel();
    this.cancelTransactions();
    this.relay.connections.delete(this);
    const session = this.session;
    if (session !== undefined && this.relay.unbound.get(session.id) === session && session.source === this) {
      this.relay.unbound.delete(session.id);
    }
    this.other?.disconnect();
    if (session?.source === this) {
      this.log.info('Session ended', {
        bytesToSource: this.outbox.bytesWritten,
        bytesToDestination: session.destination?.outbox.bytesWritten ?? 0,
        seconds: Math.round((this.relay.clock.now() - session.startedAt) / 1000),
      });
    }
  }

  /**
   * The other side of the session went away: end a chunk from it that was in flight with `#`, tell this
   * side's client about its SENDs still waiting for a response (REPORT 408), then close once written.
   */
  disconnect(): void {
    if (this.state === 'DISCONNECTING' || this.state === 'DISCONNECTED') return;
    const connected = this.outbox.isOpen;
    this.state = 'DISCONNECTING';
    this.outbox.abortSends();
    this.pendingSends?.failAll('Session got disconnected');
    this.cancelTransactions();
    if (!connected) {
      this.socket.destroy();
      return;
    }
    this.socket.resume(); // read and drop whatever the client still sends, so its FIN is seen
    this.socket.end();
    // A client that never reads would keep the connection forever.
    this.closeTimer = this.relay.clock.schedule(this.runtime.settings.transactionTimeout * 1000, () => {
      this.socket.destroy();
    });
  }

  /** Ends the connection once what is queued is written; its session goes with it. */
  private closeAfterWriting(): void {
    this.inbound = DISCARD;
    this.state = 'DISCONNECTING'; // nothing more is read from this connection
    this.socket.resume();
    this.socket.end();
    this.closeTimer ??= this.relay.clock.schedule(this.runtime.settings.transactionTimeout * 1000, () => {
      this.socket.destroy();
    });
  }

  /** Closes at once, dropping whatever is queued: used on shutdown. */
  destroy(): void {
    this.socket.destroy();
  }

  private cancelTransactions(): void {
    this.pendingSends?.cancelAll();
    for (const request of this.otherTransactions?.values() ?? []) request.timer.cancel();
    this.otherTransactions?.clear();
  }

  /** Cancels and forgets the timer (it holds a Timeout and closures as long as it is referenced). */
  private cancelInvalidTimer(): void {
    this.invalidTimer?.cancel();
    this.invalidTimer = undefined;
  }

  // ---- replies ---------------------------------------------------------------------------------

  /** Relay-generated responses go to From-Path[0], from To-Path[0]; responses are never answered. */
  private respond(head: MsrpHead, paths: Paths, code: number, comment: string, headers: Header[] = []): void {
    if (head.method === undefined) {
      this.log.debug('Not answering a response', { code, comment });
      return;
    }
    this.outbox.sendControl(
      response(head, code, comment, paths.from[0]?.text ?? '', paths.to[0]?.text ?? '', headers),
    );
  }

  private reject(head: MsrpHead, paths: Paths, code: number, comment: string): Inbound {
    this.respond(head, paths, code, comment);
    return DISCARD;
  }

  private describeFarEnd(): string {
    return this.path.text || this.remoteAddress;
  }
}

/** IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
