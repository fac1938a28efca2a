/**
 * How one of the server's own MESSAGEs ended, over all the devices it went to: the first 2xx, else, once
 * every device has answered, the best failure (a 6xx first, then the lowest status, as RFC 3261 §16.7 step 6
 * picks), else 480 when it could be sent to no device. Told once.
 */
import type { ClientFailure, ClientTransactionHandler } from '../sip/transaction/types.js';

export interface OwnFinal {
  readonly status: number;
  readonly reason: string;
}

export class OwnFinalAnswer {
  readonly #onFinal: (final: OwnFinal) => void;
  #pending = 0;
  #sealed = false;
  #done = false;
  #best: OwnFinal | undefined;

  constructor(onFinal: (final: OwnFinal) => void) {
    this.#onFinal = onFinal;
  }

  /** A handler for one more device's transaction. */
  branch(): ClientTransactionHandler {
    this.#pending++;
    let answered = false;
    const settle = (final: OwnFinal): void => {
      if (answered) return;
      answered = true;
      this.#pending--;
      this.#offer(final);
    };
    return {
      onResponse: (response) => {
        if (response.status >= 200) settle({ status: response.status, reason: response.reason });
      },
      onFailure: (failure) => {
        settle(failureFinal(failure));
      },
    };
  }

  /** No more branches come: with none at all, the MESSAGE reached nobody. */
  seal(): void {
    this.#sealed = true;
    this.#settleIfDone();
  }

  #offer(final: OwnFinal): void {
    if (this.#done) return;
    if (final.status < 300) {
      this.#finish(final);
      return;
    }
    if (this.#best === undefined || better(final, this.#best)) this.#best = final;
    this.#settleIfDone();
  }

  #settleIfDone(): void {
    if (!this.#sealed || this.#pending > 0 || this.#done) return;
    this.#finish(this.#best ?? { status: 480, reason: 'Temporarily Unavailable' });
  }

  #finish(final: OwnFinal): void {
    this.#done = true;
    this.#onFinal(final);
  }
}

function better(candidate: OwnFinal, best: OwnFinal): boolean {
  const global = (status: number): boolean => status >= 600;
  if (global(candidate.status) !== global(best.status)) return global(candidate.status);
  return candidate.status < best.status;
}

function failureFinal(failure: ClientFailure): OwnFinal {
  if (failure === 'timeout') return { status: 408, reason: 'Request Timeout' };
  if (failure === 'flow-failed') return { status: 430, reason: 'Flow Failed' };
  return { status: 480, reason: 'Temporarily Unavailable' };
}
