/**
 * A SEND chunk being relayed cut-through: its head is written downstream as soon as it is read, then each
 * body slice as it arrives, then the end-line with the received flag. The relay may split it into parts
 * (to let a response or REPORT through, spec §3.9); each part is its own transaction with its own tid.
 */
import { type ByteRange, formatByteRange } from '../headers.js';
import { equalsIgnoreCase, type ContinuationFlag, type Header } from '../message.js';
import { forwardedHead } from '../wire.js';

export interface SendPart {
  readonly tid: string;
  /** Byte-Range start of this part. */
  readonly start: number;
  /** Body bytes received for this part so far. */
  bytes: number;
}

/** Told about each part, so the receiving connection can track it as a transaction. */
export interface PartTracker {
  partStarted(part: SendPart): void;
  /** The part's end-line was written downstream (split = ended with `+` by the relay). */
  partEnded(part: SendPart, split: boolean): void;
}

export class ForwardedSend {
  part: SendPart;
  headWritten = false;
  endFlag: ContinuationFlag | undefined;
  readonly pending: Buffer[] = [];
  pendingBytes = 0;

  constructor(
    tid: string,
    private readonly toPath: string,
    private readonly fromPath: string,
    private readonly headers: readonly Header[],
    readonly hasBody: boolean,
    private readonly range: ByteRange,
    readonly tracker: PartTracker,
  ) {
    this.part = { tid, start: range.start, bytes: 0 };
    tracker.partStarted(this.part);
  }

  /** The head of the current part; later parts carry the adjusted Byte-Range start. */
  head(): string {
    const first = this.part.start === this.range.start;
    const headers = first
      ? this.headers
      : this.headers.map((header) =>
          equalsIgnoreCase(header.name, 'Byte-Range')
            ? { name: header.name, value: formatByteRange({ ...this.range, start: this.part.start }) }
            : header,
        );
    return forwardedHead(`MSRP ${this.part.tid} SEND`, this.toPath, this.fromPath, headers, this.hasBody);
  }

  /** Ends the current part with `+` and opens the next one after the bytes already sent. */
  split(nextTid: string): void {
    const ended = this.part;
    this.tracker.partEnded(ended, true);
    this.part = { tid: nextTid, start: ended.start + ended.bytes, bytes: 0 };
    this.headWritten = false;
    this.tracker.partStarted(this.part);
  }
}
