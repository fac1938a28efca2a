/**
 * A push provider for the dispatcher's tests: it records every delivery and answers what the test scripts
 * (an outcome, or a pending answer the test settles later), so the dispatcher's queueing, retries and token
 * removals can be checked without a network.
 */
import type { PushDelivery, PushOutcome, PushProvider, PushProviderKind } from '../../src/push/provider.js';

export interface SentPush {
  readonly delivery: PushDelivery;
  readonly at: number;
  answer(outcome: PushOutcome): void;
}

export class ScriptedProvider implements PushProvider {
  readonly sent: SentPush[] = [];
  closed = false;
  readonly #now: () => number;
  readonly #answer: ((delivery: PushDelivery) => PushOutcome) | undefined;

  constructor(
    readonly kind: PushProviderKind,
    now: () => number,
    /** The answer to give at once; undefined: the test answers through `sent[i].answer`. */
    answer?: (delivery: PushDelivery) => PushOutcome,
  ) {
    this.#now = now;
    this.#answer = answer;
  }

  get pending(): number {
    return this.sent.length - this.#answered;
  }

  #answered = 0;

  send(delivery: PushDelivery): Promise<PushOutcome> {
    return new Promise((resolve) => {
      const settle = (outcome: PushOutcome): void => {
        this.#answered++;
        resolve(outcome);
      };
      this.sent.push({ delivery, at: this.#now(), answer: settle });
      if (this.#answer !== undefined) settle(this.#answer(delivery));
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
