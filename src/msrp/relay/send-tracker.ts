/**
 * Tracks the parts of one forwarded SEND as transactions of the connection it came from, so that a
 * failure or a timeout can be reported back (relay spec §3.8). One object per SEND, not a set of closures:
 * it is made for every chunk relayed.
 */
import type { PartTracker, SendPart } from './forwarded-send.js';
import type { TrackedSend } from './transactions.js';

/** The connection the SEND came from. */
export interface SendTrackerOwner {
  /** A part was written downstream: wait for its response. */
  trackSend(tracked: TrackedSend): void;
  /** The part's end-line was written: its response is due within the transaction timeout. */
  armSendTimeout(tracked: TrackedSend): void;
}

export class SendTracker implements PartTracker {
  readonly #owner: SendTrackerOwner;
  /** The original From-Path text: where a REPORT goes. */
  readonly #reportTo: string;
  /** The original To-Path[0]: this relay's URI for the session. */
  readonly #reportFrom: string;
  readonly #messageId: string;
  readonly #total: number | undefined;

  constructor(
    owner: SendTrackerOwner,
    reportTo: string,
    reportFrom: string,
    messageId: string,
    total: number | undefined,
  ) {
    this.#owner = owner;
    this.#reportTo = reportTo;
    this.#reportFrom = reportFrom;
    this.#messageId = messageId;
    this.#total = total;
  }

  startPart(tid: string, start: number): TrackedSend {
    const tracked: TrackedSend = {
      tid,
      start,
      bytes: 0,
      reportTo: this.#reportTo,
      reportFrom: this.#reportFrom,
      messageId: this.#messageId,
      total: this.#total,
      timer: undefined,
    };
    this.#owner.trackSend(tracked);
    return tracked;
  }

  partEnded(part: SendPart): void {
    // The parts it is told about are the ones it made.
    this.#owner.armSendTimeout(part as TrackedSend);
  }
}

/** For `Failure-Report: no`: nothing is owed, nothing is tracked. */
export const UNTRACKED: PartTracker = {
  startPart: (tid, start) => ({ tid, start, bytes: 0 }),
  partEnded: () => undefined,
};
