/**
 * What one shared next-hop connection writes for the sessions it carries (its lanes). A chunk in progress
 * holds the connection, so at most one lane's SEND part is open on the wire at a time; the others wait in
 * turn, holding what their senders keep sending (which counts against their own flow-control thresholds,
 * relay spec §3.10). The open part is ended with `+` and its SEND goes on later as a new part (relay spec
 * §3.9 splits the same way for control messages) when another lane waits and it has carried `partBound`
 * bytes, or as soon as it has carried any when a lane that had nothing to write starts waiting: one bulk
 * transfer cannot hold the others back. Control messages (responses, REPORTs, other requests) go at once,
 * splitting the open part first. Before the connection is up everything waits in the lanes' queues.
 */
import type { Socket } from 'node:net';
import type { ContinuationFlag } from '../message.js';
import type { TransactionIds } from '../transaction-ids.js';
import { closing } from '../wire.js';
import type { ForwardedSend } from './forwarded-send.js';
import type { RelayStats } from './stats.js';

/** Body bytes a part may carry while another lane waits: a read of the sender's socket, about. */
export const PART_BOUND_BYTES = 64 * 1024;

/** One lane's queue: what it waits to write, and what it wrote. */
export class LaneQueue {
  /** Control messages waiting for the connection to open. */
  readonly control: Buffer[] = [];
  /** Its SENDs in order; the first is the one written, or next to be. */
  readonly sends: ForwardedSend[] = [];
  /** Bytes held here (not yet handed to the socket). */
  queuedBytes = 0;
  /** Control bytes held here or handed to the socket and not yet taken by it (RelayPeer.unreadControlBytes). */
  unreadControl = 0;
  bytesWritten = 0;
  /** Called when held bytes were written: the lane's sender may be read again. */
  readonly #relieved: () => void;

  constructor(relieved: () => void) {
    this.#relieved = relieved;
  }

  relieved(): void {
    this.#relieved();
  }
}

export class SharedOutbox {
  #open = false;
  /** The lane whose first SEND holds the wire (its part's head is written, its end-line is not). */
  #active: LaneQueue | undefined;
  /** Body bytes of the active part written so far. */
  #partBytes = 0;
  /** A lane started waiting while the active part had carried nothing yet: yield after its next slice. */
  #yieldWanted = false;
  /** The lanes with SENDs to write, other than the active one, in turn. */
  readonly #ready = new Set<LaneQueue>();
  readonly #socket: Socket;
  readonly #tids: TransactionIds;
  readonly #stats: RelayStats;
  readonly #partBound: number;

  constructor(socket: Socket, tids: TransactionIds, stats: RelayStats, partBound = PART_BOUND_BYTES) {
    this.#socket = socket;
    this.#tids = tids;
    this.#stats = stats;
    this.#partBound = partBound;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Bytes in the socket's buffer: every lane's flow control weighs them with its own queue. */
  get socketBacklog(): number {
    return this.#socket.writableLength;
  }

  /** The connection is up: each lane's control messages, then the SENDs in turn. */
  start(lanes: Iterable<LaneQueue>): void {
    this.#open = true;
    this.#socket.cork();
    try {
      for (const lane of lanes) {
        for (const message of lane.control.splice(0)) {
          lane.queuedBytes -= message.length;
          this.#writeControl(lane, message);
        }
      }
      this.#next();
    } finally {
      this.#socket.uncork();
    }
  }

  sendControl(lane: LaneQueue, message: Buffer): void {
    lane.unreadControl += message.length;
    if (!this.#open) {
      lane.control.push(message);
      lane.queuedBytes += message.length;
      return;
    }
    const active = this.#active;
    const open = active?.sends[0];
    if (active !== undefined && open !== undefined && this.#partIsOpen(open)) this.#split(active, open);
    this.#writeControl(lane, message);
  }

  startSend(lane: LaneQueue, send: ForwardedSend): void {
    lane.sends.push(send);
    if (lane === this.#active) return;
    const newcomer = !this.#ready.has(lane);
    this.#ready.add(lane);
    if (!this.#open) return;
    if (this.#active === undefined) this.#next();
    else if (newcomer) this.#requestYield();
  }

  sendBody(lane: LaneQueue, send: ForwardedSend, slice: Buffer): void {
    send.received(slice.length);
    if (this.#open && lane === this.#active && lane.sends[0] === send) {
      if (!send.headWritten) this.#write(lane, send.takeHead());
      this.#write(lane, slice);
      this.#partBytes += slice.length;
      if (this.#ready.size > 0 && (this.#yieldWanted || this.#partBytes >= this.#partBound)) this.#yield();
      return;
    }
    send.hold(slice);
    lane.queuedBytes += slice.length;
  }

  endSend(lane: LaneQueue, send: ForwardedSend, flag: ContinuationFlag): void {
    send.end(flag);
    if (!this.#open || lane !== this.#active || lane.sends[0] !== send) return;
    this.#writeFront(lane);
    this.#release(lane);
    this.#next();
  }

  /**
   * The lane's session ended: a part of it open on the wire is ended with `#` (the receiver knows where it
   * stopped), everything else it queued is dropped, and the wire goes to the next lane.
   */
  abort(lane: LaneQueue): void {
    const front = lane.sends[0];
    if (this.#open && lane === this.#active && front !== undefined && this.#partIsOpen(front)) {
      this.#write(lane, Buffer.from(closing(front.tid, '#', front.hasBody)));
      front.partWritten();
    }
    for (const send of lane.sends) lane.queuedBytes -= send.heldBytes;
    lane.sends.length = 0;
    for (const message of lane.control.splice(0)) {
      lane.queuedBytes -= message.length;
      lane.unreadControl -= message.length;
    }
    this.#ready.delete(lane);
    if (lane === this.#active) {
      this.#active = undefined;
      if (this.#open) this.#next();
    }
  }

  #partIsOpen(send: ForwardedSend): boolean {
    return send.headWritten && send.endFlag === undefined;
  }

  /** Gives the wire to the lanes in turn until one holds it with a part left open, or none waits. */
  #next(): void {
    while (this.#active === undefined) {
      const lane = this.#ready.values().next().value;
      if (lane === undefined) return;
      this.#ready.delete(lane);
      this.#active = lane;
      this.#partBytes = 0;
      this.#yieldWanted = false;
      const held = lane.queuedBytes;
      const ended = this.#writeFront(lane);
      if (lane.queuedBytes !== held) lane.relieved();
      if (ended) this.#release(lane);
      else if (this.#ready.size > 0 && this.#partBytes >= this.#partBound) this.#yield();
    }
  }

  /** The lane's first SEND as far as it has arrived; true when it was written to its end. */
  #writeFront(lane: LaneQueue): boolean {
    const send = lane.sends[0];
    if (send === undefined) return true;
    if (!send.headWritten) this.#write(lane, send.takeHead());
    for (const piece of send.held) {
      this.#write(lane, piece);
      this.#partBytes += piece.length;
    }
    lane.queuedBytes -= send.releaseHeld();
    const flag = send.endFlag;
    if (flag === undefined) return false;
    lane.sends.shift();
    this.#write(lane, Buffer.from(closing(send.tid, flag, send.hasBody)));
    send.partWritten();
    return true;
  }

  /** The active lane's SEND is done: the lane waits its turn for its next one. */
  #release(lane: LaneQueue): void {
    this.#active = undefined;
    if (lane.sends.length > 0) this.#ready.add(lane);
  }

  #requestYield(): void {
    if (this.#partBytes > 0) this.#yield();
    else this.#yieldWanted = true;
  }

  /** The active part is ended with `+` and its lane goes to the back of the turn. */
  #yield(): void {
    const lane = this.#active;
    if (lane === undefined) return;
    const open = lane.sends[0];
    if (open !== undefined && this.#partIsOpen(open)) this.#split(lane, open);
    this.#release(lane);
    this.#next();
  }

  #split(lane: LaneQueue, send: ForwardedSend): void {
    this.#write(lane, Buffer.from(closing(send.tid, '+', send.hasBody)));
    send.split(this.#tids.next());
  }

  #write(lane: LaneQueue, data: Buffer, taken?: () => void): void {
    lane.bytesWritten += data.length;
    this.#stats.wrote(data.length);
    this.#socket.write(data, taken);
  }

  #writeControl(lane: LaneQueue, message: Buffer): void {
    // Called once the socket has taken it, or failed: either way it no longer waits for the peer.
    this.#write(lane, message, () => {
      lane.unreadControl -= message.length;
    });
  }
}
