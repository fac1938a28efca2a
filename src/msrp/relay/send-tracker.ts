/**
 * Tracks the parts of one forwarded SEND as transactions of the connection it came from, so that a
 * failure or a timeout can be reported back (spec §3.8). One object per SEND, not a set of closures:
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
  constructor(
    private readonly owner: SendTrackerOwner,
    /** The original From-Path text: where a REPORT goes. */
    private readonly reportTo: string,
    /** The original To-Path[0]: this relay's URI for the session. */
    private readonly reportFrom: string,
    private readonly messageId: string,
    private readonly total: number | undefined,
  ) {}

  partStarted(part: SendPart): void {
    this.owner.trackSend({
      part,
      reportTo: this.reportTo,
      reportFrom: this.reportFrom,
      messageId: this.messageId,
      total: this.total,
      timer: undefined,
    });
  }

  partEnded(part: SendPart): void {
    this.owner.armSendTimeout(part.tid);
  }
}

/** For `Failure-Report: no`: nothing is owed, nothing is tracked. */
export const UNTRACKED: PartTracker = {
  partStarted: () => undefined,
  partEnded: () => undefined,
};
