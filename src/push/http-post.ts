/**
 * One bounded HTTP POST with fetch: a time limit on the injectable clock (covering the answer's body too) and a
 * cap on how much of the answer is read. Never throws: a network error or timeout is a result.
 */
import { readCapped } from '../http/read-capped.js';
import type { Clock } from '../time/clock.js';
import { parseRetryAfter } from './retry-after.js';

export interface PostAnswer {
  readonly status: number;
  /** Milliseconds from a `Retry-After` header, when there is a readable one. */
  readonly retryAfterMs: number | undefined;
  readonly body: Buffer;
}

export type PostResult =
  | { readonly ok: true; readonly answer: PostAnswer }
  | { readonly ok: false; readonly error: string };

export interface PostOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
  /** Bytes of the answer read; the rest is left unread. */
  readonly maxAnswerBytes: number;
  readonly clock: Clock;
}

export async function post(url: string, options: PostOptions): Promise<PostResult> {
  const controller = new AbortController();
  const timer = options.clock.schedule(options.timeoutMs, () => {
    controller.abort();
  });
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: options.headers,
      body: options.body,
      signal: controller.signal,
      redirect: 'error',
    });
    const { bytes: body } = await readCapped(response, options.maxAnswerBytes);
    return {
      ok: true,
      answer: {
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), options.clock.now()),
        body,
      },
    };
  } catch (error) {
    if (controller.signal.aborted)
      return { ok: false, error: `no answer within ${String(options.timeoutMs)} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: cause?.code ?? cause?.message ?? (error as Error).message };
  } finally {
    timer.cancel();
  }
}
