/**
 * The INVITE client transaction (RFC 3261 §17.1.1 as updated by RFC 6026): Calling → Proceeding → Completed
 * (3xx-6xx, ACKed here) or Accepted (2xx: further 2xx pass up, the ACK is the TU's) → Terminated.
 */
import type { SipRequest, SipResponse } from '../message/message.js';
import type { MessageSource, SendTarget } from '../transport/types.js';
import { ackForFailure } from './same-hop-request.js';
import { ClientTransactionBase, type ClientTransactionContext } from './client-base.js';
import { Retransmitter } from './retransmitter.js';
import { transactionTimeout } from './timers.js';
import type { ClientTransactionHandler } from './types.js';

/** Timer D over an unreliable transport: at least 32 s (Table 4). */
const TIMER_D_MS = 32_000;

type State = 'calling' | 'proceeding' | 'completed' | 'accepted';

export class InviteClientTransaction extends ClientTransactionBase {
  #state: State = 'calling';
  #ack: SipRequest | undefined;
  readonly #retransmitter: Retransmitter;

  constructor(
    key: string,
    request: SipRequest,
    target: SendTarget,
    handler: ClientTransactionHandler,
    context: ClientTransactionContext,
    timeoutMs: number,
  ) {
    super(key, request, target, handler, context, timeoutMs);
    // Timer A doubles without the T2 cap.
    this.#retransmitter = new Retransmitter(
      context.clock,
      context.timers,
      () => {
        this.transmit(request);
      },
      false,
    );
  }

  get state(): State {
    return this.#state;
  }

  start(): void {
    if (!this.reliable) this.#retransmitter.start();
    // Timer B.
    this.timeoutTimer = this.context.clock.schedule(this.timeoutMs, () => {
      if (this.#state === 'calling') this.fail('timeout');
    });
    this.transmit(this.request);
  }

  receive(response: SipResponse, source: MessageSource): void {
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        this.#retransmitter.stop();
        if (response.status < 200) {
          this.#state = 'proceeding';
          this.passUp(response, source);
        } else if (response.status < 300) {
          this.#state = 'accepted';
          this.passUp(response, source);
          // Timer M.
          this.terminateAfter(transactionTimeout(this.context.timers));
        } else {
          this.#state = 'completed';
          this.#ack = ackForFailure(this.request, response);
          this.transmit(this.#ack);
          this.passUp(response, source);
          this.terminateAfter(this.reliable ? 0 : TIMER_D_MS);
        }
        return;
      case 'completed':
        // A retransmitted final: our ACK was lost.
        if (this.#ack !== undefined && response.status >= 300) this.transmit(this.#ack);
        return;
      case 'accepted':
        if (response.status >= 200 && response.status < 300) this.handler.onResponse(response, source);
        return;
    }
  }

  protected stopRetransmitting(): void {
    this.#retransmitter.stop();
  }
}
