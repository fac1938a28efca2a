/**
 * The one HTTP/2 session to APNs. Apple asks providers to keep their connections open and reuse them rather
 * than connect per push (which it may treat as a denial-of-service attack), so every send shares one session;
 * a new one is opened lazily after the old one closed, failed or was told to go away (GOAWAY). Streams in
 * flight are bounded: by the setting, and by the SETTINGS_MAX_CONCURRENT_STREAMS that APNs announces.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import type { Logger } from 'pino';
import type { Clock } from '../../time/clock.js';

/** APNs answers with a short JSON reason; more than this is not APNs. */
const MAX_ANSWER_BYTES = 4096;

export interface Http2Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type Http2Result =
  | { readonly ok: true; readonly answer: Http2Answer }
  | { readonly ok: false; readonly error: string };

export interface Http2ConnectionOptions {
  readonly origin: string;
  readonly ca: string | undefined;
  readonly maxConcurrentStreams: number;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class Http2Connection {
  readonly #options: Http2ConnectionOptions;
  #session: ClientHttp2Session | undefined;
  #sessionsOpened = 0;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  #closed = false;

  constructor(options: Http2ConnectionOptions) {
    this.#options = options;
  }

  /** How many sessions were opened so far (1 while the first one lives). */
  get sessionsOpened(): number {
    return this.#sessionsOpened;
  }

  /** Sends one request and reads its answer; never throws. The time bound covers waiting for a stream slot. */
  request(headers: Readonly<Record<string, string>>, body: Buffer): Promise<Http2Result> {
    return new Promise<Http2Result>((resolve) => {
      let settled = false;
      let stream: ClientHttp2Stream | undefined;
      let session: ClientHttp2Session | undefined;
      let holdsSlot = false;
      const finish = (result: Http2Result): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        if (holdsSlot) this.#release();
        resolve(result);
      };
      const timer = this.#options.clock.schedule(this.#options.requestTimeoutMs, () => {
        const index = this.#waiting.indexOf(start);
        if (index >= 0) this.#waiting.splice(index, 1);
        stream?.close(constants.NGHTTP2_CANCEL);
        // No answer in time: the session may be dead without having said so (a silent network); new sends
        // get a new one, while other streams on this one may still finish.
        if (session !== undefined) this.#retire(session);
        finish({ ok: false, error: `no answer within ${String(this.#options.requestTimeoutMs)} ms` });
      });
      const start = (): void => {
        holdsSlot = true;
        if (settled) {
          this.#release();
          return;
        }
        if (this.#closed) {
          finish({ ok: false, error: 'the connection is closed' });
          return;
        }
        try {
          session = this.#currentSession();
          stream = this.#open(session, headers, body, finish);
        } catch (error) {
          finish({ ok: false, error: (error as Error).message });
        }
      };
      if (this.#closed) {
        finish({ ok: false, error: 'the connection is closed' });
      } else if (this.#inFlight < this.#limit()) {
        this.#inFlight += 1;
        start();
      } else {
        this.#waiting.push(start);
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Sends waiting for a stream slot get their answer now rather than at their time limit.
    for (const start of this.#waiting.splice(0)) {
      this.#inFlight += 1;
      start();
    }
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined || session.closed || session.destroyed) return;
    await new Promise<void>((resolve) => {
      session.close(resolve);
    });
  }

  #limit(): number {
    const announced = this.#session?.remoteSettings.maxConcurrentStreams;
    return Math.max(1, Math.min(this.#options.maxConcurrentStreams, announced ?? Number.POSITIVE_INFINITY));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#inFlight -= 1;
    } else {
      next();
    }
  }

  #open(
    session: ClientHttp2Session,
    headers: Readonly<Record<string, string>>,
    body: Buffer,
    finish: (result: Http2Result) => void,
  ): ClientHttp2Stream {
    const stream = session.request({ ...headers, 'content-length': String(body.length) });
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let answerHeaders: Record<string, string | string[] | undefined> = {};
    stream.on('response', (received) => {
      status = received[':status'] ?? 0;
      answerHeaders = received;
    });
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length <= MAX_ANSWER_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => {
      if (status === 0) finish({ ok: false, error: 'the stream ended without an answer' });
      else finish({ ok: true, answer: { status, headers: answerHeaders, body: Buffer.concat(chunks) } });
    });
    stream.on('error', (error: Error) => {
      finish({ ok: false, error: error.message });
    });
    stream.on('close', () => {
      if (status === 0) finish({ ok: false, error: `the stream closed (code ${String(stream.rstCode)})` });
    });
    stream.end(body);
    return stream;
  }

  #currentSession(): ClientHttp2Session {
    if (this.#session !== undefined && !this.#session.closed && !this.#session.destroyed)
      return this.#session;
    // APNs never pushes streams to a provider; saying so in SETTINGS lets it skip that.
    const session = connect(this.#options.origin, {
      settings: { enablePush: false },
      ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }),
    });
    this.#sessionsOpened += 1;
    this.#session = session;
    session.on('error', (error) => {
      this.#options.logger.warn({ err: error, origin: this.#options.origin }, 'push HTTP/2 session failed');
      this.#retire(session);
    });
    session.on('goaway', (code) => {
      this.#options.logger.info(
        { origin: this.#options.origin, code },
        'push HTTP/2 session told to go away',
      );
      this.#retire(session);
    });
    session.on('close', () => {
      this.#retire(session);
    });
    // An idle session must not keep the process alive; the server's own listeners do that.
    session.unref();
    return session;
  }

  /** Sends from now on open a new session; streams still running on `session` finish on it. */
  #retire(session: ClientHttp2Session): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    if (!session.closed && !session.destroyed) session.close();
  }
}
