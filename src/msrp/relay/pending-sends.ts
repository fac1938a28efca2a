/**
 * The SEND parts from one connection's client that were forwarded and wait for their downstream response
 * (relay spec §3.7), by the tid they were forwarded with, and the REPORTs the relay owes for them (relay spec
 * §3.8): a failure response, a transaction timeout, or the session going away.
 */
import type { DeadlineQueue } from '../../time/deadline-queue.js';
import type { SendTrackerOwner } from './send-tracker.js';
import type { TrackedSend } from './transactions.js';

/** Where the relay's own REPORTs about the SENDs go: the connection they came from. */
export interface SendReporter {
  reportSend(tracked: TrackedSend, code: number, comment: string | undefined): void;
}

export class PendingSends implements SendTrackerOwner {
  readonly #byTid = new Map<string, TrackedSend>();

  readonly #reporter: SendReporter;
  readonly #deadlines: DeadlineQueue;
  readonly #timeoutMs: number;
  /** One callback for all the timeouts of this connection, not a closure per chunk. */
  readonly #onTimeout = (tracked: TrackedSend): void => {
    this.#timedOut(tracked);
  };

  constructor(reporter: SendReporter, deadlines: DeadlineQueue, timeoutMs: number) {
    this.#reporter = reporter;
    this.#deadlines = deadlines;
    this.#timeoutMs = timeoutMs;
  }

  /** A part was written downstream: wait for its response. */
  trackSend(tracked: TrackedSend): void {
    this.#byTid.set(tracked.tid, tracked);
  }

  /** The part's end-line was written: its response is due within the transaction timeout. */
  armSendTimeout(tracked: TrackedSend): void {
    // Not when its response came first (a fast next hop) or the connection's transactions were cancelled.
    if (this.#byTid.get(tracked.tid) !== tracked) return;
    tracked.timer = this.#deadlines.addFor(this.#timeoutMs, this.#onTimeout, tracked);
  }

  /** A response ends the transaction of `tid`: the part it answers, or undefined when it is not one of these. */
  take(tid: string): TrackedSend | undefined {
    const tracked = this.#byTid.get(tid);
    if (tracked === undefined) return undefined;
    this.#byTid.delete(tid);
    tracked.timer?.cancel();
    return tracked;
  }

  /** The session went away: a REPORT 408 for each part still waiting. */
  failAll(comment: string): void {
    for (const tracked of this.#byTid.values()) {
      tracked.timer?.cancel();
      this.#reporter.reportSend(tracked, 408, comment);
    }
    this.#byTid.clear();
  }

  /** The connection closed: nothing more can be reported on it. */
  cancelAll(): void {
    for (const tracked of this.#byTid.values()) tracked.timer?.cancel();
    this.#byTid.clear();
  }

  #timedOut(tracked: TrackedSend): void {
    if (this.#byTid.get(tracked.tid) !== tracked) return;
    this.#byTid.delete(tracked.tid);
    // msrprelay stayed silent for Failure-Report: partial; RFC 4975 §7.1.2 wants the failure reported.
    this.#reporter.reportSend(tracked, 408, undefined);
  }
}
