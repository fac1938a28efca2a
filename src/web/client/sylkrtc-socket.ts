/**
 * One sylkRTC WebSocket (docs/sylkrtc-api.md): waits for `ready-event`, numbers each request's
 * `transaction`, and resolves it with the `ack` or the `error` text; every other frame is an event for
 * `onEvent`. A closed socket fails what is still waiting, and `onClose` says so.
 */
export type SocketFrame = Readonly<Record<string, unknown>>;

/**
 * Requests sent at once, then per second: under missive's default per-connection limit (20 a second after a
 * burst of 100, docs/sylkrtc-api.md), so that a burst of messages (a notification each) or reading a long
 * conversation (a `displayed` each) is paced here instead of refused there.
 */
const BURST = 80;
const PER_SECOND = 15;
export type Reply = { readonly ok: true } | { readonly ok: false; readonly error: string };

export class SylkRtcSocket {
  readonly #socket: WebSocket;
  readonly #waiting = new Map<string, (reply: Reply) => void>();
  readonly #ready: Promise<void>;
  #next = 1;
  #tokens = BURST;
  #refilled = Date.now();
  readonly #queue: string[] = [];
  #draining: ReturnType<typeof setTimeout> | undefined;
  onEvent: (frame: SocketFrame) => void = () => undefined;
  onClose: () => void = () => undefined;

  constructor(url: string) {
    this.#socket = new WebSocket(url, 'sylkRTC-2');
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.addEventListener('message', (message) => {
        const frame = parseFrame(message.data);
        if (frame === undefined) return;
        if (frame.sylkrtc === 'ready-event') resolve();
        else this.#handle(frame);
      });
      this.#socket.addEventListener('close', () => {
        reject(new Error('The server closed the connection'));
        for (const settle of this.#waiting.values()) settle({ ok: false, error: 'Connection closed' });
        this.#waiting.clear();
        this.#queue.length = 0;
        clearTimeout(this.#draining);
        this.onClose();
      });
    });
  }

  /** Resolves once the server has said `ready-event` (sylk spec §1.2). */
  ready(): Promise<void> {
    return this.#ready;
  }

  request(type: string, fields: SocketFrame): Promise<Reply> {
    if (this.#socket.readyState !== WebSocket.OPEN)
      return Promise.resolve({ ok: false, error: 'Not connected' });
    const transaction = String(this.#next++);
    return new Promise((resolve) => {
      this.#waiting.set(transaction, resolve);
      this.#queue.push(JSON.stringify({ sylkrtc: type, transaction, ...fields }));
      this.#drain();
    });
  }

  /** Sends what the token bucket allows now, in order, and comes back for the rest. */
  #drain(): void {
    const now = Date.now();
    this.#tokens = Math.min(BURST, this.#tokens + ((now - this.#refilled) / 1000) * PER_SECOND);
    this.#refilled = now;
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      const frame = this.#queue.shift();
      if (frame !== undefined && this.#socket.readyState === WebSocket.OPEN) this.#socket.send(frame);
      this.#tokens -= 1;
    }
    if (this.#queue.length > 0 && this.#draining === undefined) {
      this.#draining = setTimeout(() => {
        this.#draining = undefined;
        this.#drain();
      }, 1000 / PER_SECOND);
    }
  }

  close(): void {
    this.#socket.close(1000);
  }

  #handle(frame: SocketFrame): void {
    const transaction = frame.transaction;
    if ((frame.sylkrtc === 'ack' || frame.sylkrtc === 'error') && typeof transaction === 'string') {
      const settle = this.#waiting.get(transaction);
      this.#waiting.delete(transaction);
      settle?.(
        frame.sylkrtc === 'ack'
          ? { ok: true }
          : { ok: false, error: typeof frame.error === 'string' ? frame.error : 'Error' },
      );
      return;
    }
    this.onEvent(frame);
  }
}

function parseFrame(data: unknown): SocketFrame | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as SocketFrame)
      : undefined;
  } catch {
    return undefined;
  }
}
