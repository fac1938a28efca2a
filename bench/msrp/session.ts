/**
 * One sending session A → (relay →) B. A SEND chunk is *completed* when A has its 200 (from the relay,
 * or from B when there is no relay) AND B has received the whole chunk and answered it. Both happen in
 * order per session, so completed = min(200s at A, chunks at B). In-flight = sent − completed.
 */
import type { ClientA } from './client-a.js';
import type { EndpointB } from './endpoint-b.js';
import { nextTid } from './client-a.js';
import { LatencyLog } from './stats.js';

export class SendSession {
  sent = 0;
  acked = 0;
  delivered = 0;
  deliveredBytes = 0;
  /** Non-200 responses at A. */
  failures = 0;
  readonly latencies = new LatencyLog();
  /** Called whenever `completed` may have grown. */
  onProgress: (() => void) | undefined;
  readonly #sentAt: Float64Array;
  #recorded = 0;
  readonly #bId: string;
  readonly #toPath: string;
  readonly #b: EndpointB;

  /**
   * @param usePath the relay's Use-Path, or undefined to send straight to B (generator baseline)
   * @param maxInFlight upper bound of sent − completed (sizes the send-time ring)
   */
  constructor(
    readonly a: ClientA,
    b: EndpointB,
    usePath: string | undefined,
    maxInFlight: number,
  ) {
    this.#b = b;
    this.#sentAt = new Float64Array(Math.max(2, maxInFlight + 1));
    const registration = b.register((bytes) => {
      this.delivered++;
      this.deliveredBytes += bytes;
      this.#progress();
    });
    this.#bId = registration.id;
    this.#toPath = usePath === undefined ? registration.uri : `${usePath} ${registration.uri}`;
    a.onResponse = (head) => {
      if (head.status === 200) this.acked++;
      else this.failures++;
      this.#progress();
    };
  }

  get completed(): number {
    return Math.min(this.acked, this.delivered);
  }

  get inFlight(): number {
    return this.sent - this.completed;
  }

  /**
   * Writes one SEND chunk (header, body view, end-line corked into one write). Returns false when the
   * socket buffer is full: wait for 'drain' before writing more.
   */
  send(messageId: string, body: Buffer, start: number, total: number, last: boolean): boolean {
    const tid = nextTid();
    const end = start + body.length - 1;
    const socket = this.a.socket;
    this.#sentAt[this.sent % this.#sentAt.length] = performance.now();
    this.sent++;
    socket.cork();
    socket.write(
      `MSRP ${tid} SEND\r\nTo-Path: ${this.#toPath}\r\nFrom-Path: ${this.a.uri}\r\nMessage-ID: ${messageId}\r\n` +
        `Byte-Range: ${start}-${end}/${total}\r\n` +
        (body.length > 0 ? 'Content-Type: application/octet-stream\r\n\r\n' : ''),
      'latin1',
    );
    if (body.length > 0) socket.write(body);
    const ok = socket.write(`${body.length > 0 ? '\r\n' : ''}-------${tid}${last ? '$' : '+'}\r\n`, 'latin1');
    socket.uncork();
    return ok && socket.writableLength < 1 << 20;
  }

  close(): void {
    this.#b.unregister(this.#bId);
    this.a.onResponse = undefined;
    this.a.close();
  }

  #progress(): void {
    const completed = this.completed;
    if (completed > this.#recorded) {
      const now = performance.now();
      for (; this.#recorded < completed; this.#recorded++) {
        this.latencies.add(now - (this.#sentAt[this.#recorded % this.#sentAt.length] ?? now));
      }
    }
    this.onProgress?.();
  }
}

/**
 * Runs `fill` at most once per tick however often it is requested (all completions of one read lead to
 * one corked write), and again after 'drain' when `fill` returns false (the socket buffer is full).
 */
export class Pump {
  #scheduled = false;
  #draining = false;
  readonly #session: SendSession;
  readonly #fill: () => boolean;

  constructor(session: SendSession, fill: () => boolean) {
    this.#session = session;
    this.#fill = fill;
  }

  readonly request = (): void => {
    if (this.#scheduled || this.#draining) return;
    this.#scheduled = true;
    process.nextTick(this.#run);
  };

  readonly #run = (): void => {
    this.#scheduled = false;
    const socket = this.#session.a.socket;
    socket.cork();
    const ok = this.#fill();
    socket.uncork();
    if (!ok) {
      this.#draining = true;
      socket.once('drain', () => {
        this.#draining = false;
        this.request();
      });
    }
  };
}
