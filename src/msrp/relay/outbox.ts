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
  private control: Buffer[] | undefined;
  private sends: ForwardedSend[] | undefined;
  private open = false;
  private queuedBytes = 0;
  bytesWritten = 0;

  constructor(
    private readonly socket: Socket,
    private readonly tids: TransactionIds,
    private readonly stats: RelayStats,
  ) {}

  /** Bytes waiting here or in the socket's buffer: what flow control weighs. */
  get backlogBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  get backlogItems(): number {
    return (this.control?.length ?? 0) + (this.sends?.length ?? 0);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The connection is up: write what waited, control messages first. */
  start(): void {
    this.open = true;
    this.flush();
  }

  sendControl(message: Buffer): void {
    if (!this.open) {
      this.control ??= [];
      this.control.push(message);
      this.queuedBytes += message.length;
      return;
    }
    const active = this.sends?.[0];
    if (active?.headWritten === true) this.splitActive(active);
    this.write(message);
  }

  startSend(send: ForwardedSend): void {
    this.sends ??= [];
    this.sends.push(send);
    if (this.open && this.sends.length === 1) this.writeHead(send);
  }

  sendBody(send: ForwardedSend, slice: Buffer): void {
    send.part.bytes += slice.length;
    if (this.open && this.sends?.[0] === send) {
      if (!send.headWritten) this.writeHead(send);
      this.write(slice);
      return;
    }
    send.pending.push(slice);
    send.pendingBytes += slice.length;
    this.queuedBytes += slice.length;
  }

  endSend(send: ForwardedSend, flag: ContinuationFlag): void {
    send.endFlag = flag;
    if (this.open && this.sends?.[0] === send) this.flush();
  }

  /**
   * The sender went away: end a chunk already started downstream with `#` (so the receiver knows where it
   * stopped, where msrprelay just closed) and drop everything not yet started.
   */
  abortSends(): void {
    const sends = this.sends;
    if (sends === undefined) return;
    const active = sends[0];
    if (this.open && active?.headWritten === true && active.endFlag === undefined) {
      this.write(Buffer.from(closing(active.part.tid, '#', active.hasBody)));
      active.tracker.partEnded(active.part, false);
    }
    for (const send of sends) this.queuedBytes -= send.pendingBytes;
    sends.length = 0;
  }

  private flush(): void {
    if (!this.open) return;
    // What waited for the connection goes out in one write (a no-op when already corked by a read).
    this.socket.cork();
    try {
      this.writeQueued();
    } finally {
      this.socket.uncork();
    }
  }

  private writeQueued(): void {
    const control = this.control;
    if (control !== undefined) {
      this.control = undefined;
      for (const message of control) {
        this.queuedBytes -= message.length;
        this.write(message);
      }
    }
    const sends = this.sends;
    if (sends === undefined) return;
    for (let send = sends[0]; send !== undefined; send = sends[0]) {
      if (!send.headWritten) this.writeHead(send);
      for (const piece of send.pending) this.write(piece);
      this.queuedBytes -= send.pendingBytes;
      send.pending.length = 0;
      send.pendingBytes = 0;
      if (send.endFlag === undefined) return;
      sends.shift();
      this.write(Buffer.from(closing(send.part.tid, send.endFlag, send.hasBody)));
      send.tracker.partEnded(send.part, false);
    }
  }

  private splitActive(send: ForwardedSend): void {
    this.write(Buffer.from(closing(send.part.tid, '+', send.hasBody)));
    send.split(this.tids.next());
  }

  private writeHead(send: ForwardedSend): void {
    this.write(Buffer.from(send.head(), 'utf8'));
    send.headWritten = true;
  }

  private write(data: Buffer): void {
    this.bytesWritten += data.length;
    this.stats.bytesWritten += data.length;
    this.socket.write(data);
  }
}
