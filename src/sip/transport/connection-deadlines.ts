/**
 * When a SIP connection (TCP, TLS or WebSocket) is closed for what it did not send, whichever comes first:
 * - idle: no traffic in either direction for idleTimeoutMs (RFC 5626 §3.5.1 CRLF keep-alives count as
 *   traffic, so a client that keeps its flow alive keeps it);
 * - no request: an inbound connection that has not sent one complete request firstRequestTimeoutMs after it
 *   opened (keep-alives and partial messages do not extend this): a connection that has never shown it is a
 *   SIP client gets far less than one that has;
 * - slow message: a message that has started arriving is not complete messageTimeoutMs after its first byte,
 *   so that a peer feeding a message one byte at a time cannot hold the connection for ever.
 * One clock timer per connection, set for the earliest deadline; a deadline that moves later (traffic, a
 * request, a message finished) does not touch it: it fires early, finds nothing due and is set again.
 */
import type { Clock, Timer } from '../../time/clock.js';

export interface ConnectionTimeouts {
  /** Closed after this long without input or output. */
  readonly idleTimeoutMs: number;
  /** An inbound connection that has sent no complete request this long after it opened is closed. */
  readonly firstRequestTimeoutMs: number;
  /** A message must arrive whole within this of its first byte. */
  readonly messageTimeoutMs: number;
}

export type Expiry = 'idle' | 'no-request' | 'slow-message';

export interface ConnectionDeadlinesInit {
  readonly clock: Clock;
  readonly timeouts: ConnectionTimeouts;
  /** A connection we opened: the peer answers, it owes us no request. */
  readonly outbound: boolean;
  readonly onExpired: (expiry: Expiry) => void;
}

export class ConnectionDeadlines {
  readonly #clock: Clock;
  readonly #timeouts: ConnectionTimeouts;
  readonly #onExpired: (expiry: Expiry) => void;
  readonly #openedAt: number;
  #lastActivity: number;
  #requestSeen: boolean;
  #messageStartedAt: number | undefined;
  #timer: Timer | undefined;
  #timerDue = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(init: ConnectionDeadlinesInit) {
    this.#clock = init.clock;
    this.#timeouts = init.timeouts;
    this.#onExpired = init.onExpired;
    this.#openedAt = init.clock.now();
    this.#lastActivity = this.#openedAt;
    this.#requestSeen = init.outbound;
    this.#schedule();
  }

  /** Bytes went in or out. */
  activity(): void {
    this.#lastActivity = this.#clock.now();
  }

  /** A complete request arrived: from now on only the idle time and message deadlines apply. */
  requestCompleted(): void {
    this.#requestSeen = true;
  }

  /** The first byte of a message arrived now. */
  messageStarted(): void {
    this.#messageStartedAt = this.#clock.now();
    this.#schedule();
  }

  /** No message is partly received any more. */
  messageEnded(): void {
    this.#messageStartedAt = undefined;
  }

  get messagePending(): boolean {
    return this.#messageStartedAt !== undefined;
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** The earliest deadline and what it is for. */
  #next(): { due: number; expiry: Expiry } {
    const timeouts = this.#timeouts;
    let next: { due: number; expiry: Expiry } = {
      due: this.#lastActivity + timeouts.idleTimeoutMs,
      expiry: 'idle',
    };
    if (!this.#requestSeen) {
      const due = this.#openedAt + timeouts.firstRequestTimeoutMs;
      if (due < next.due) next = { due, expiry: 'no-request' };
    }
    if (this.#messageStartedAt !== undefined) {
      const due = this.#messageStartedAt + timeouts.messageTimeoutMs;
      if (due < next.due) next = { due, expiry: 'slow-message' };
    }
    return next;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const { due } = this.#next();
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    this.#timer?.cancel();
    this.#timerDue = due;
    this.#timer = this.#clock.schedule(Math.max(0, due - this.#clock.now()), () => {
      this.#timer = undefined;
      this.#timerDue = Number.POSITIVE_INFINITY;
      this.#check();
    });
  }

  #check(): void {
    if (this.#stopped) return;
    const next = this.#next();
    if (this.#clock.now() >= next.due) {
      this.stop();
      this.#onExpired(next.expiry);
      return;
    }
    this.#schedule();
  }
}
