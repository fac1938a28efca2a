/**
 * RFC 3263 §4.3: one request sent to located targets in turn. A transport error, a timeout or a 503 from a
 * target moves on to the next one, each attempt a client transaction of its own (the caller gives each a
 * fresh Via branch); the last target's outcome, whatever it is, is the request's. All attempts share one
 * transaction's time (64*T1): each gets an equal share of what is left, so a silent first target cannot use
 * up the time the others need.
 */
import type { Clock } from '../../time/clock.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { ClientRequestOptions } from '../transaction/transaction-layer.js';
import type { ClientFailure, ClientTransaction, ClientTransactionHandler } from '../transaction/types.js';
import type { MessageSource, SendTarget } from '../transport/types.js';

/** The part of TransactionLayer used here. */
export interface FailoverTransactions {
  sendRequest(
    request: SipRequest,
    target: SendTarget,
    handler: ClientTransactionHandler,
    options?: ClientRequestOptions,
  ): ClientTransaction;
}

export interface FailoverOptions {
  readonly transactions: FailoverTransactions;
  readonly clock: Clock;
  /** The time all attempts share, counted from construction: 64*T1 for one transaction's budget. */
  readonly budgetMs: number;
  /** The request for one target, with a new top Via; undefined skips the target (no way to send there). */
  readonly prepare: (target: SendTarget) => SipRequest | undefined;
  /** Gets every response but the 503s that led to another attempt, and one failure if all failed. */
  readonly handler: ClientTransactionHandler;
  /** Told of each attempt as it starts (a proxy CANCELs the current one). */
  readonly onAttempt?: ((transaction: ClientTransaction, request: SipRequest) => void) | undefined;
}

export class FailoverRequest {
  readonly #options: FailoverOptions;
  readonly #deadline: number;
  #stopped = false;

  constructor(options: FailoverOptions) {
    this.#options = options;
    this.#deadline = options.clock.now() + options.budgetMs;
  }

  /** Sends to the first target that can be prepared; with none, the handler gets a transport error. */
  start(targets: readonly SendTarget[]): void {
    if (!this.#attempt(targets)) this.#options.handler.onFailure('transport-error');
  }

  /** No further target is tried: the current attempt's outcome is final (after a CANCEL, say). */
  stop(): void {
    this.#stopped = true;
  }

  /** Starts a transaction to the first target that can be prepared; false when there is none or no time. */
  #attempt(targets: readonly SendTarget[]): boolean {
    const { clock, prepare } = this.#options;
    for (let i = 0; i < targets.length; i++) {
      const left = this.#deadline - clock.now();
      const target = targets[i];
      if (left <= 0 || target === undefined) return false;
      const request = prepare(target);
      if (request === undefined) continue;
      const rest = targets.slice(i + 1);
      const transaction = this.#options.transactions.sendRequest(request, target, this.#handlerFor(rest), {
        timeoutMs: Math.max(1, Math.floor(left / (rest.length + 1))),
      });
      this.#options.onAttempt?.(transaction, request);
      return true;
    }
    return false;
  }

  #handlerFor(rest: readonly SendTarget[]): ClientTransactionHandler {
    const { handler } = this.#options;
    const moveOn = (): boolean => !this.#stopped && this.#attempt(rest);
    return {
      onResponse: (response: SipResponse, source: MessageSource) => {
        if (response.status !== 503 || !moveOn()) handler.onResponse(response, source);
      },
      onFailure: (reason: ClientFailure) => {
        if (!moveOn()) handler.onFailure(reason);
      },
    };
  }
}
