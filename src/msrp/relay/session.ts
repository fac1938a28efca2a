/**
 * One relayed MSRP session (relay spec §3.1): the AUTH-ing connection, its source, and once bound its
 * destination. The session owns the bind transition (relay spec §3.3, §3.5) and what crosses from one peer
 * to the other: the checks of a bound peer's messages (relay spec §3.4), forwarded requests (relay spec
 * §3.6) and the responses that come back (relay spec §3.7). Each peer keeps its own I/O, state and
 * transactions; the session tells a peer what happened through the peer's methods, and reads nothing but
 * its peers' public state.
 */
import { parseByteRange, parseFailureReport } from '../headers.js';
import type { ContinuationFlag, MsrpHead } from '../message.js';
import type { TransactionIds } from '../transaction-ids.js';
import { formatPath } from '../uri.js';
import { closing, forwardedHead, passThroughHeaders } from '../wire.js';
import { NO_SESSION, type Paths, UNINTELLIGIBLE } from './checks.js';
import { ForwardedPaths } from './forwarded-paths.js';
import { ForwardedSend } from './forwarded-send.js';
import { KeptPath } from './kept-path.js';
import type { RelayPeer } from './peer.js';
import { SendTracker, UNTRACKED } from './send-tracker.js';
import type { RelayStats } from './stats.js';

const FORWARDED_WITHOUT_OTHER_METHODS = new Set(['SEND', 'REPORT', 'NICKNAME']);

/** What the sessions of one relay share (the relay's state provides it). */
export interface SessionServices {
  readonly tids: TransactionIds;
  readonly stats: RelayStats;
  /** The sessions waiting for their first SEND: a session leaves when it binds or its source goes. */
  readonly unbound: { remove(session: Session): void };
}

/**
 * What became of a response (relay spec §3.7): `send-ok` ended a forwarded SEND's transaction with a plain
 * 200 (the pattern its connection may learn, see known-ok.ts); `untracked` answered nothing waiting.
 */
export type ResponseOutcome = 'send-ok' | 'send-failed' | 'forwarded' | 'untracked';

export class Session {
  readonly id: string;
  readonly username: string;
  readonly realm: string;
  readonly startedAt: number;
  #expires: number;
  readonly #source: RelayPeer;
  #destination: RelayPeer | undefined;
  readonly #services: SessionServices;
  /** The paths of the last SEND forwarded from the source, and from the destination. */
  #fromSource: ForwardedPaths | undefined;
  #fromDestination: ForwardedPaths | undefined;

  constructor(
    id: string,
    username: string,
    realm: string,
    expires: number,
    source: RelayPeer,
    services: SessionServices,
    now: number,
  ) {
    this.id = id;
    this.username = username;
    this.realm = realm;
    this.#expires = expires;
    this.#source = source;
    this.#services = services;
    this.startedAt = now;
  }

  get expires(): number {
    return this.#expires;
  }

  get source(): RelayPeer {
    return this.#source;
  }

  get destination(): RelayPeer | undefined {
    return this.#destination;
  }

  /** A refresh AUTH was granted (relay spec §2.6). */
  refresh(expires: number): void {
    this.#expires = expires;
  }

  /** The other side of one of this session's peers, once the session is bound. */
  otherSide(peer: RelayPeer): RelayPeer | undefined {
    return peer === this.#source ? this.#destination : this.#source;
  }

  /** Relay spec §3.4 steps 2–4 and 7: the 481 comment of the first failing check of a message from `from`. */
  mismatch(from: RelayPeer, head: MsrpHead, paths: Paths): string | undefined {
    if (paths.to[0]?.sessionId !== this.id) return `${NO_SESSION}: Wrong session id on relay MSRP URI`;
    if (paths.to.length === 1 && head.method !== undefined && head.method !== 'AUTH') {
      return `${NO_SESSION}: Non-response with me as endpoint, nowhere to relay to`;
    }
    if (!from.path.matchesFromPath(paths.from))
      return `${NO_SESSION}: From-Path does not match session source`;
    if (head.method !== 'AUTH' && from.state === 'ESTABLISHED') {
      const other = this.otherSide(from);
      if (other !== undefined && !other.path.matchesToPathRest(paths.to)) {
        return `${NO_SESSION}: To-Path does not match session destination`;
      }
    }
    return undefined;
  }

  /** A new connection presented this session's first SEND (relay spec §3.3): it is the destination. */
  bindIncoming(peer: RelayPeer): void {
    this.#bind(peer);
  }

  /**
   * The head of a SEND from `from` (relay spec §3.4 steps 2–9, §3.6): checked, then started towards the
   * other side, which is the next hop, connected now, when the session is still unbound (relay spec §3.5). Undefined
   * when it was answered with an error instead, or has nowhere to go.
   */
  forwardSend(from: RelayPeer, head: MsrpHead, paths: Paths): ForwardedSend | undefined {
    const problem = this.mismatch(from, head, paths);
    if (problem !== undefined) {
      from.respond(head, paths, 481, problem);
      return undefined;
    }
    const messageId = head.headers.get('Message-ID');
    if (messageId === undefined) {
      from.respond(head, paths, 400, `${UNINTELLIGIBLE} (SEND received without Message-ID)`);
      return undefined;
    }
    const rangeText = head.headers.get('Byte-Range');
    const range = rangeText === undefined ? undefined : parseByteRange(rangeText);
    if (range === undefined) {
      from.respond(head, paths, 400, `${UNINTELLIGIBLE} (SEND received without Byte-Range)`);
      return undefined;
    }
    const destination = from.state === 'UNBOUND' ? this.#connectOutbound(paths) : this.otherSide(from);
    if (destination === undefined) return undefined;

    const failureReport = parseFailureReport(head.headers.get('Failure-Report') ?? 'yes') ?? 'yes';
    const reportFrom = paths.to[0]?.text ?? '';
    const forwarded = this.#forwardedPaths(from, paths);
    const send = new ForwardedSend(
      this.#services.tids.next(),
      forwarded,
      head,
      range,
      failureReport === 'no'
        ? UNTRACKED
        : new SendTracker(from.sendTracking(), paths.fromText, reportFrom, messageId, range.total),
      failureReport === 'yes',
    );
    destination.startSend(send);
    return send;
  }

  /**
   * A complete non-SEND request from `from`, forwarded whole to the other side (relay spec §3.6, §3.12).
   * False when it was not forwarded.
   */
  forwardRequest(
    from: RelayPeer,
    head: MsrpHead,
    paths: Paths,
    body: Buffer,
    flag: ContinuationFlag,
  ): boolean {
    const method = head.method ?? '';
    if (!from.settings.allowOtherMethods && !FORWARDED_WITHOUT_OTHER_METHODS.has(method)) {
      from.respond(head, paths, 501, `Unknown method: ${method}`);
      return false;
    }
    const destination = this.otherSide(from);
    if (destination === undefined) return false;
    const tid = this.#services.tids.next();
    const to = paths.to[0]?.text ?? '';
    const start = forwardedHead(
      `MSRP ${tid} ${method}`,
      formatPath(paths.to.slice(1)),
      `${to} ${paths.fromText}`,
      passThroughHeaders(head),
      head.hasBody,
    );
    destination.sendControl(
      Buffer.concat([Buffer.from(start, 'utf8'), body, Buffer.from(closing(tid, flag, head.hasBody))]),
    );
    // REPORTs and Failure-Report: no requests get no response: nothing to wait for (msrprelay leaked these).
    if (method !== 'REPORT' && head.headers.get('Failure-Report')?.trim() !== 'no') {
      from.trackRequest(head, tid, paths.from[0]?.text ?? '', to);
    }
    return true;
  }

  /** A response from `from` to a request this relay forwarded from the other side (relay spec §3.7). */
  forwardResponse(from: RelayPeer, head: MsrpHead, paths: Paths): ResponseOutcome {
    const requester = this.otherSide(from);
    if (requester === undefined) return 'untracked';
    const tracked = requester.takeSend(head.tid);
    if (tracked !== undefined) {
      if (head.status === 200) return 'send-ok';
      requester.reportSend(tracked, head.status ?? 0, head.comment);
      return 'send-failed';
    }
    const request = requester.takeRequest(head.tid);
    if (request === undefined) return 'untracked';
    const comment = head.comment === undefined ? '' : ` ${head.comment}`;
    const text = forwardedHead(
      `MSRP ${request.originalTid} ${head.status ?? 0}${comment}`,
      formatPath(paths.to.slice(1)),
      `${paths.to[0]?.text ?? ''} ${paths.fromText}`,
      passThroughHeaders(head),
      false,
    );
    requester.sendControl(Buffer.from(text + closing(request.originalTid, '$', false), 'utf8'));
    return 'forwarded';
  }

  #forwardedPaths(from: RelayPeer, paths: Paths): ForwardedPaths {
    if (from === this.#source) {
      this.#fromSource = ForwardedPaths.of(paths, this.#fromSource);
      return this.#fromSource;
    }
    this.#fromDestination = ForwardedPaths.of(paths, this.#fromDestination);
    return this.#fromDestination;
  }

  /** One of the peers closed: the session waits no longer, and the other peer is disconnected (relay spec §3.13). */
  peerClosed(peer: RelayPeer): void {
    if (peer === this.#source) this.#services.unbound.remove(this);
    this.otherSide(peer)?.disconnect();
  }

  /** The first SEND of an unbound session: open the session's connection to the next hop (relay spec §3.5). */
  #connectOutbound(paths: Paths): RelayPeer | undefined {
    const next = paths.to[1];
    if (next === undefined) return undefined;
    const destination = this.#source.openNextHop(next, KeptPath.of(paths.to.slice(1)));
    this.#bind(destination);
    return destination;
  }

  /** Relay spec §3.2: both peers ESTABLISHED (an opened next hop once it is connected), the session bound. */
  #bind(destination: RelayPeer): void {
    this.#destination = destination;
    this.#services.unbound.remove(this);
    destination.establish(this.#source);
    this.#source.establish(destination);
    this.#services.stats.sessionBound();
  }
}
