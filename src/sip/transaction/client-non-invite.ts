/** The non-INVITE client transaction (RFC 3261 §17.1.2): Trying → Proceeding → Completed → Terminated. */
import type { SipResponse } from '../message/message.js';
import { ClientTransactionBase, type ClientTransactionContext } from './client-base.js';
import { Retransmitter } from './retransmitter.js';
import { transactionTimeout } from './timers.js';
import type { ClientTransactionHandler } from './types.js';
import type { SipRequest } from '../message/message.js';
import type { MessageSource, SendTarget } from '../transport/types.js';

export class NonInviteClientTransaction extends ClientTransactionBase {
  readonly #retransmitter: Retransmitter;

  constructor(
    key: string,
    request: SipRequest,
    target: SendTarget,
    handler: ClientTransactionHandler,
    context: ClientTransactionContext,
  ) {
    super(key, request, target, handler, context);
    // Timer E.
    this.#retransmitter = new Retransmitter(
      context.clock,
      context.timers,
      () => {
        this.transmit(request);
      },
      true,
    );
  }

  start(): void {
    if (!this.reliable) this.#retransmitter.start();
    // Timer F.
    this.timeoutTimer = this.context.clock.schedule(transactionTimeout(this.context.timers), () => {
      this.fail('timeout');
    });
    this.transmit(this.request);
  }

  receive(response: SipResponse, source: MessageSource): void {
    if (this.finished) return; // Completed absorbs retransmitted finals.
    if (response.status < 200) {
      // Proceeding: keep retransmitting, at T2 (§17.1.2.2).
      if (!this.answered && !this.reliable) this.#retransmitter.start(this.context.timers.t2);
      this.passUp(response, source);
      return;
    }
    this.#retransmitter.stop();
    this.passUp(response, source);
    // Timer K.
    this.terminateAfter(this.reliable ? 0 : this.context.timers.t4);
  }

  protected stopRetransmitting(): void {
    this.#retransmitter.stop();
  }
}
