/**
 * A SEND chunk being relayed cut-through: its head is written downstream as soon as it is read, then each
 * body slice as it arrives, then the end-line with the received flag. The relay may split it into parts
 * (to let a response or REPORT through, relay spec §3.9); each part is its own transaction with its own tid.
 * The outbox that writes it moves it on through the methods below.
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
  readonly hasBody: boolean;
  /** `Failure-Report: yes`: the sender gets the relay's 200 once the chunk is relayed (relay spec §3.8). */
  readonly confirm: boolean;
  #part: SendPart;
  #headWritten = false;
  #endFlag: ContinuationFlag | undefined;
  /** Body slices received while another send (or a closed connection) kept this one from being written. */
  readonly #held: Buffer[] = [];
  #heldBytes = 0;
  readonly #toPath: string;
  readonly #fromPath: string;
  readonly #headers: readonly Header[];
  readonly #range: ByteRange;
  readonly #tracker: PartTracker;

  constructor(
    tid: string,
    toPath: string,
    fromPath: string,
    headers: readonly Header[],
    hasBody: boolean,
    range: ByteRange,
    tracker: PartTracker,
    confirm: boolean,
  ) {
    this.hasBody = hasBody;
    this.confirm = confirm;
    this.#toPath = toPath;
    this.#fromPath = fromPath;
    this.#headers = headers;
    this.#range = range;
    this.#tracker = tracker;
    this.#part = { tid, start: range.start, bytes: 0 };
    tracker.partStarted(this.#part);
  }

  get tid(): string {
    return this.#part.tid;
  }

  get headWritten(): boolean {
    return this.#headWritten;
  }

  /** The flag of the received end-line, once it was read. */
  get endFlag(): ContinuationFlag | undefined {
    return this.#endFlag;
  }

  get held(): readonly Buffer[] {
    return this.#held;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Body bytes arrived for the current part: counted for its REPORT (relay spec §3.8). */
  received(bytes: number): void {
    this.#part.bytes += bytes;
  }

  /** Keeps a slice until this send may be written. */
  hold(slice: Buffer): void {
    this.#held.push(slice);
    this.#heldBytes += slice.length;
  }

  /** The held slices were written; returns how many bytes they were. */
  releaseHeld(): number {
    const bytes = this.#heldBytes;
    this.#held.length = 0;
    this.#heldBytes = 0;
    return bytes;
  }

  /** The received end-line: the send is complete once what it holds is written. */
  end(flag: ContinuationFlag): void {
    this.#endFlag = flag;
  }

  /** The head of the current part, to be written now; later parts carry the adjusted Byte-Range start. */
  takeHead(): string {
    this.#headWritten = true;
    const part = this.#part;
    const range = this.#range;
    const headers =
      part.start === range.start
        ? this.#headers
        : this.#headers.map((header) =>
            equalsIgnoreCase(header.name, 'Byte-Range')
              ? { name: header.name, value: formatByteRange({ ...range, start: part.start }) }
              : header,
          );
    return forwardedHead(`MSRP ${part.tid} SEND`, this.#toPath, this.#fromPath, headers, this.hasBody);
  }

  /** The current part's end-line, with the received flag or `#` for an abort, was written downstream. */
  partWritten(): void {
    this.#tracker.partEnded(this.#part, false);
  }

  /** The current part was ended with `+`; the next one starts after the bytes already sent. */
  split(nextTid: string): void {
    const ended = this.#part;
    this.#tracker.partEnded(ended, true);
    this.#part = { tid: nextTid, start: ended.start + ended.bytes, bytes: 0 };
    this.#headWritten = false;
    this.#tracker.partStarted(this.#part);
  }
}
