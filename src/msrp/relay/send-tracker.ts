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
  armSendTimeout(tid: string): void;
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

  partStarted(part: SendPart): void {
    this.#owner.trackSend({
      part,
      reportTo: this.#reportTo,
      reportFrom: this.#reportFrom,
      messageId: this.#messageId,
      total: this.#total,
      timer: undefined,
    });
  }

  partEnded(part: SendPart): void {
    this.#owner.armSendTimeout(part.tid);
  }
}

/** For `Failure-Report: no`: nothing is owed, nothing is tracked. */
export const UNTRACKED: PartTracker = {
  partStarted: () => undefined,
  partEnded: () => undefined,
};
