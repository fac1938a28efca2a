/**
 * The transactions of one relay peer's client, for a connection of its own (peer-connection.ts) and a lane
 * of a shared one (lane.ts) alike: its forwarded SENDs awaiting their downstream response and its other
 * forwarded requests (relay spec §3.7, §3.8). Each table is made with the first request of its kind, so an
 * idle session pays for neither.
 */
import type { DeadlineQueue } from '../../time/deadline-queue.js';
import type { MsrpHead } from '../message.js';
import { type ControlWriter, PendingRequests } from './pending-requests.js';
import { PendingSends, type SendReporter } from './pending-sends.js';
import type { TrackedRequest, TrackedSend } from './transactions.js';

export class PeerTransactions {
  readonly #reporter: SendReporter;
  readonly #writer: ControlWriter;
  readonly #deadlines: DeadlineQueue;
  /** Read when a table is made: the transaction timeout in force then (settings can be reloaded). */
  readonly #timeoutMs: () => number;
  #sends: PendingSends | undefined;
  #requests: PendingRequests | undefined;

  constructor(
    reporter: SendReporter,
    writer: ControlWriter,
    deadlines: DeadlineQueue,
    timeoutMs: () => number,
  ) {
    this.#reporter = reporter;
    this.#writer = writer;
    this.#deadlines = deadlines;
    this.#timeoutMs = timeoutMs;
  }

  sends(): PendingSends {
    this.#sends ??= new PendingSends(this.#reporter, this.#deadlines, this.#timeoutMs());
    return this.#sends;
  }

  takeSend(tid: string): TrackedSend | undefined {
    return this.#sends?.take(tid);
  }

  trackRequest(head: MsrpHead, tid: string, replyTo: string, replyFrom: string): void {
    this.#requests ??= new PendingRequests(this.#writer, this.#deadlines, this.#timeoutMs());
    this.#requests.add(head, tid, replyTo, replyFrom);
  }

  takeRequest(tid: string): TrackedRequest | undefined {
    return this.#requests?.take(tid);
  }

  /** The session went away: a REPORT for each SEND still waiting (relay spec §3.8). */
  failSends(comment: string): void {
    this.#sends?.failAll(comment);
  }

  cancelAll(): void {
    this.#sends?.cancelAll();
    this.#requests?.cancelAll();
  }
}
