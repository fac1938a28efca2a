/**
 * What one connection writes: complete control messages (responses, REPORTs, non-SEND requests), which
 * have priority, and SEND chunks streamed through. While the connection is not yet open everything waits
 * here (and counts against the flow-control thresholds); once open, writes go straight to the socket.
 */
import type { Socket } from 'node:net';
import type { TransactionIds } from '../transaction-ids.js';
import { closing } from '../wire.js';
import type { ForwardedSend } from './forwarded-send.js';
import type { ContinuationFlag } from '../message.js';
import type { RelayStats } from './stats.js';

export class Outbox {
  // Both made on first use: most connections never queue control messages, and many never carry a SEND.
  #control: Buffer[] | undefined;
  #sends: ForwardedSend[] | undefined;
  #open = false;
  #queuedBytes = 0;
  /** Control bytes queued here or handed to the socket and not yet taken by it (RelayPeer.unreadControlBytes). */
  #unreadControl = 0;
  #bytesWritten = 0;
  readonly #socket: Socket;
  readonly #tids: TransactionIds;
  readonly #stats: RelayStats;

  constructor(socket: Socket, tids: TransactionIds, stats: RelayStats) {
    this.#socket = socket;
    this.#tids = tids;
    this.#stats = stats;
  }

  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** Bytes waiting here or in the socket's buffer: what flow control weighs. */
  get backlogBytes(): number {
    return this.#queuedBytes + this.#socket.writableLength;
  }

  get backlogItems(): number {
    return (this.#control?.length ?? 0) + (this.#sends?.length ?? 0);
  }

  get unreadControlBytes(): number {
    return this.#unreadControl;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** The connection is up: write what waited, control messages first. */
  start(): void {
    this.#open = true;
    this.#flush();
  }

  sendControl(message: Buffer): void {
    this.#unreadControl += message.length;
    if (!this.#open) {
      this.#control ??= [];
      this.#control.push(message);
      this.#queuedBytes += message.length;
      return;
    }
    const active = this.#sends?.[0];
    if (active?.headWritten === true) this.#splitActive(active);
    this.#writeControl(message);
  }

  startSend(send: ForwardedSend): void {
    this.#sends ??= [];
    this.#sends.push(send);
    if (this.#open && this.#sends.length === 1) this.#writeHead(send);
  }

  sendBody(send: ForwardedSend, slice: Buffer): void {
    send.received(slice.length);
    if (this.#open && this.#sends?.[0] === send) {
      if (!send.headWritten) this.#writeHead(send);
      this.#write(slice);
      return;
    }
    send.hold(slice);
    this.#queuedBytes += slice.length;
  }

  endSend(send: ForwardedSend, flag: ContinuationFlag): void {
    send.end(flag);
    if (this.#open && this.#sends?.[0] === send) this.#flush();
  }

  /**
   * The sender went away: end a chunk already started downstream with `#` (so the receiver knows where it
   * stopped, where msrprelay just closed) and drop everything not yet started.
   */
  abortSends(): void {
    const sends = this.#sends;
    if (sends === undefined) return;
    const active = sends[0];
    if (this.#open && active?.headWritten === true && active.endFlag === undefined) {
      this.#write(Buffer.from(closing(active.tid, '#', active.hasBody)));
      active.partWritten();
    }
    for (const send of sends) this.#queuedBytes -= send.heldBytes;
    sends.length = 0;
  }

  #flush(): void {
    if (!this.#open) return;
    // What waited for the connection goes out in one write (a no-op when already corked by a read).
    this.#socket.cork();
    try {
      this.#writeQueued();
    } finally {
      this.#socket.uncork();
    }
  }

  #writeQueued(): void {
    const control = this.#control;
    if (control !== undefined) {
      this.#control = undefined;
      for (const message of control) {
        this.#queuedBytes -= message.length;
        this.#writeControl(message);
      }
    }
    const sends = this.#sends;
    if (sends === undefined) return;
    for (let send = sends[0]; send !== undefined; send = sends[0]) {
      if (!send.headWritten) this.#writeHead(send);
      for (const piece of send.held) this.#write(piece);
      this.#queuedBytes -= send.releaseHeld();
      const flag = send.endFlag;
      if (flag === undefined) return;
      sends.shift();
      this.#write(Buffer.from(closing(send.tid, flag, send.hasBody)));
      send.partWritten();
    }
  }

  #splitActive(send: ForwardedSend): void {
    this.#write(Buffer.from(closing(send.tid, '+', send.hasBody)));
    send.split(this.#tids.next());
  }

  #writeHead(send: ForwardedSend): void {
    this.#write(send.takeHead());
  }

  #write(data: Buffer, taken?: () => void): void {
    this.#bytesWritten += data.length;
    this.#stats.wrote(data.length);
    this.#socket.write(data, taken);
  }

  #writeControl(message: Buffer): void {
    // Called once the socket has taken it, or failed: either way it no longer waits for the peer.
    this.#write(message, () => {
      this.#unreadControl -= message.length;
    });
  }
}
