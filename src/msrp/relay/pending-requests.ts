/**
 * The non-SEND requests from one connection's client that were forwarded and wait for their end-to-end
 * response (relay spec §3.7), by the tid they were forwarded with. REPORTs and `Failure-Report: no`
 * requests get no response and are not tracked (msrprelay leaked these).
 */
import type { DeadlineQueue } from '../../time/deadline-queue.js';
import type { MsrpHead } from '../message.js';
import { response } from '../wire.js';
import type { TrackedRequest } from './transactions.js';

/** Where the 408 for a request that got no answer in time goes: the connection it came from. */
export interface ControlWriter {
  sendControl(message: Buffer): void;
}

export class PendingRequests {
  readonly #byTid = new Map<string, TrackedRequest>();
  readonly #writer: ControlWriter;
  readonly #deadlines: DeadlineQueue;
  readonly #timeoutMs: number;

  constructor(writer: ControlWriter, deadlines: DeadlineQueue, timeoutMs: number) {
    this.#writer = writer;
    this.#deadlines = deadlines;
    this.#timeoutMs = timeoutMs;
  }

  /** `head` was forwarded as `tid`: its response is due within the transaction timeout, else a 408. */
  add(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void {
    this.#byTid.set(tid, {
      originalTid: head.tid,
      replyTo,
      replyFrom,
      timer: this.#deadlines.add(this.#timeoutMs, () => {
        this.#byTid.delete(tid);
        // msrprelay forgot these silently (relay spec §3.7): the client is told instead.
        this.#writer.sendControl(response(head, 408, 'Downstream transaction timed out', replyTo, replyFrom));
      }),
    });
  }

  /** A response ends the transaction of `tid`: the request it answers, or undefined when it is not one. */
  take(tid: string): TrackedRequest | undefined {
    const request = this.#byTid.get(tid);
    if (request === undefined) return undefined;
    this.#byTid.delete(tid);
    request.timer.cancel();
    return request;
  }

  /** The connection closed or its session went away: nothing more is answered. */
  cancelAll(): void {
    for (const request of this.#byTid.values()) request.timer.cancel();
    this.#byTid.clear();
  }
}
