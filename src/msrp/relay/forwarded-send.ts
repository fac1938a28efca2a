/**
 * A SEND chunk being relayed cut-through: its head is written downstream as soon as it is read, then each
 * body slice as it arrives, then the end-line with the received flag. The relay may split it into parts
 * (to let a response or REPORT through, relay spec §3.9); each part is its own transaction with its own tid.
 * The outbox that writes it moves it on through the methods below.
 */
import { type ByteRange, formatByteRange } from '../headers.js';
import { equalsIgnoreCase, type ContinuationFlag, type MsrpHead } from '../message.js';
import { forwardedHead, inForwardingOrder, passThroughHeaders } from '../wire.js';
import type { ForwardedPaths } from './forwarded-paths.js';

export interface SendPart {
  readonly tid: string;
  /** Byte-Range start of this part. */
  readonly start: number;
  /** Body bytes received for this part so far. */
  bytes: number;
}

/**
 * Makes each part, so the receiving connection can track it as a transaction: a tracked part is its own
 * transaction record (one object per chunk, not a part and a record of it).
 */
export interface PartTracker {
  startPart(tid: string, start: number): SendPart;
  /** The part's end-line was written downstream (split = ended with `+` by the relay). */
  partEnded(part: SendPart, split: boolean): void;
}

const START = 'MSRP ';
const SEND = ' SEND';
/** Most chunks arrive whole and are written at once: the held list is made for the few that wait. */
const NOTHING_HELD: readonly Buffer[] = [];

export class ForwardedSend {
  readonly hasBody: boolean;
  /** `Failure-Report: yes`: the sender gets the relay's 200 once the chunk is relayed (relay spec §3.8). */
  readonly confirm: boolean;
  #part: SendPart;
  #headWritten = false;
  #endFlag: ContinuationFlag | undefined;
  /** Body slices received while another send (or a closed connection) kept this one from being written. */
  #held: Buffer[] | undefined;
  #heldBytes = 0;
  readonly #paths: ForwardedPaths;
  readonly #head: MsrpHead;
  /**
   * The received header lines after To-Path and From-Path, forwarded as they came when they are what
   * passThroughHeaders would write again; only for the first part, let go once its head is written.
   */
  #verbatimRest: Buffer | undefined;
  readonly #range: ByteRange;
  readonly #tracker: PartTracker;

  constructor(
    tid: string,
    paths: ForwardedPaths,
    head: MsrpHead,
    range: ByteRange,
    tracker: PartTracker,
    confirm: boolean,
  ) {
    this.hasBody = head.hasBody;
    this.confirm = confirm;
    this.#paths = paths;
    this.#head = head;
    this.#verbatimRest = verbatimRest(head);
    this.#range = range;
    this.#tracker = tracker;
    this.#part = tracker.startPart(tid, range.start);
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
    return this.#held ?? NOTHING_HELD;
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
    (this.#held ??= []).push(slice);
    this.#heldBytes += slice.length;
  }

  /** The held slices were written; returns how many bytes they were. */
  releaseHeld(): number {
    const bytes = this.#heldBytes;
    if (this.#held !== undefined) this.#held.length = 0;
    this.#heldBytes = 0;
    return bytes;
  }

  /** The received end-line: the send is complete once what it holds is written. */
  end(flag: ContinuationFlag): void {
    this.#endFlag = flag;
  }

  /** The head of the current part, to be written now; later parts carry the adjusted Byte-Range start. */
  takeHead(): Buffer {
    this.#headWritten = true;
    const rest = this.#verbatimRest;
    this.#verbatimRest = undefined;
    const part = this.#part;
    if (rest !== undefined && part.start === this.#range.start) return this.#verbatimHead(part.tid, rest);
    let headers = passThroughHeaders(this.#head);
    if (part.start !== this.#range.start) {
      const range = { ...this.#range, start: part.start };
      headers = headers.map((header) =>
        equalsIgnoreCase(header.name, 'Byte-Range')
          ? { name: header.name, value: formatByteRange(range) }
          : header,
      );
    }
    const { toPath, fromPath } = this.#paths;
    return Buffer.from(forwardedHead(`MSRP ${part.tid} SEND`, toPath, fromPath, headers, this.hasBody));
  }

  /**
   * `MSRP <tid> SEND`, the session's path lines, the received header lines: the bytes forwardedHead would
   * write for the same message, without writing the headers out again.
   */
  #verbatimHead(tid: string, rest: Buffer): Buffer {
    const lines = this.#paths.lines;
    const restEnd = rest.length === 0 ? 0 : rest.length + 2;
    const head = Buffer.allocUnsafe(
      START.length + tid.length + SEND.length + lines.length + restEnd + (this.hasBody ? 2 : 0),
    );
    let at = head.write(START, 0, 'latin1');
    at += head.write(tid, at, 'latin1');
    at += head.write(SEND, at, 'latin1');
    at += lines.copy(head, at);
    if (restEnd !== 0) {
      at += rest.copy(head, at);
      at += head.write('\r\n', at, 'latin1');
    }
    if (this.hasBody) head.write('\r\n', at, 'latin1');
    return head;
  }

  /** The current part's end-line, with the received flag or `#` for an abort, was written downstream. */
  partWritten(): void {
    this.#tracker.partEnded(this.#part, false);
  }

  /** The current part was ended with `+`; the next one starts after the bytes already sent. */
  split(nextTid: string): void {
    const ended = this.#part;
    this.#tracker.partEnded(ended, true);
    this.#part = this.#tracker.startPart(nextTid, ended.start + ended.bytes);
    this.#headWritten = false;
  }
}

/** The received header lines after To-Path and From-Path, when forwarding them unchanged is right. */
function verbatimRest(head: MsrpHead): Buffer | undefined {
  const received = head.verbatimHeaders;
  const entries = head.headers.entries;
  if (received === undefined || !inForwardingOrder(entries)) return undefined;
  // ASCII lines of exactly `name: value` (MsrpHead.verbatimHeaders): their byte lengths are known.
  let skip = 0;
  for (let i = 0; i < 2; i++) {
    const header = entries[i];
    if (header !== undefined) skip += header.name.length + 2 + header.value.length + 2;
  }
  return skip >= received.length ? EMPTY : received.subarray(skip);
}

const EMPTY = Buffer.alloc(0);
