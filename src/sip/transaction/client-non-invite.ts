/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2): Trying → Proceeding → Completed → Terminated; over
 * UDP the Completed state is a key the layer keeps (completed.ts).
 */
import type { SipResponse } from '../message/message.js';
import { ClientTransactionBase, type ClientTransactionContext } from './client-base.js';
import { Retransmitter } from './retransmitter.js';
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
    timeoutMs: number,
  ) {
    super(key, request, target, handler, context, timeoutMs);
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
    this.timeoutTimer = this.context.clock.schedule(this.timeoutMs, () => {
      this.fail('timeout');
    });
    this.transmit(this.request);
  }

  receive(response: SipResponse, source: MessageSource): void {
    if (this.finished) return; // Completed absorbs retransmitted finals.
    if (response.status < 200) {
      // Proceeding: keep retransmitting, at T2 (RFC 3261 §17.1.2.2).
      if (!this.answered && !this.reliable) this.#retransmitter.start(this.context.timers.t2);
      this.passUp(response, source);
      return;
    }
    this.#retransmitter.stop();
    this.passUp(response, source);
    // Timer K: the layer keeps only the key, to swallow retransmitted responses.
    if (!this.reliable) this.context.completeOverUdp(this.key);
    this.terminate();
  }

  protected stopRetransmitting(): void {
    this.#retransmitter.stop();
  }
}
