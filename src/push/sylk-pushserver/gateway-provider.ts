/**
 * The sylk-pushserver gateway (sylk spec §5): one `POST {url}` per device with the sylk spec §5.2 JSON, headers
 * `User-Agent: SylkServer` and `Content-Type: application/json`, as SylkServer sends them, so an operator's
 * running sylk-pushserver keeps working unchanged. Each request has a deadline (the injectable clock's): a
 * gateway that does not answer is a `retry`, never a push that hangs the dispatcher's slot for ever.
 */
import { readCapped } from '../../http/read-capped.js';
import type { Clock } from '../../time/clock.js';
import type { PushDelivery, PushOutcome, PushProvider } from '../provider.js';
import { gatewayOutcome } from './answer.js';
import { gatewayJson } from './payload.js';

/** An answer body beyond this is not read further: the outcome needs its first few hundred bytes. */
const MAX_ANSWER_BYTES = 16 * 1024;

export interface GatewayProviderOptions {
  /** The full URL, e.g. `http://push.example.com:8400/push` (SylkServer's `sylk_push_url`). */
  readonly url: string;
  /** How long one request may take, answer body included. */
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** The HTTP client; default the global fetch. */
  readonly fetch?: typeof fetch | undefined;
}

export class GatewayProvider implements PushProvider {
  readonly kind = 'sylk-pushserver';
  readonly #options: GatewayProviderOptions;
  readonly #fetch: typeof fetch;
  /** Requests under way, aborted by close(). */
  readonly #inFlight = new Set<AbortController>();
  #closed = false;

  constructor(options: GatewayProviderOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(delivery: PushDelivery): Promise<PushOutcome> {
    if (this.#closed) return { kind: 'failed', reason: 'provider closed' };
    const abort = new AbortController();
    this.#inFlight.add(abort);
    const timer = this.#options.clock.schedule(this.#options.timeoutMs, () => {
      abort.abort(new Error('timeout'));
    });
    try {
      const response = await this.#fetch(this.#options.url, {
        method: 'POST',
        headers: { 'User-Agent': 'SylkServer', 'Content-Type': 'application/json' },
        body: gatewayJson(delivery),
        signal: abort.signal,
        redirect: 'manual',
      });
      const body = (await readCapped(response, MAX_ANSWER_BYTES)).bytes.toString('utf8');
      return gatewayOutcome({
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body,
      });
    } catch (error) {
      return { kind: 'retry', reason: networkReason(error, abort.signal) };
    } finally {
      timer.cancel();
      this.#inFlight.delete(abort);
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const abort of this.#inFlight) abort.abort(new Error('closed'));
    return Promise.resolve();
  }
}

function networkReason(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return `network: ${code}`;
  return `network: ${cause instanceof Error ? cause.message : 'request failed'}`;
}
