/**
 * The INVITE server transaction (RFC 3261 §17.2.1 as updated by RFC 6026): Proceeding → Completed (3xx-6xx,
 * retransmitted until ACKed) → Confirmed, or Proceeding → Accepted (2xx; retransmissions of the INVITE are
 * absorbed, the 2xx retransmissions the TU forwards pass) → Terminated. A 100 Trying goes out when the TU has not
 * answered within 200 ms.
 */
import { createResponse } from '../message/create-response.js';
import type { SipResponse } from '../message/message.js';
import { Retransmitter } from './retransmitter.js';
import { ServerTransactionBase, type ServerTransactionContext } from './server-base.js';
import { transactionTimeout } from './timers.js';
import type { MessageSource } from '../transport/types.js';
import type { SipRequest } from '../message/message.js';

type State = 'proceeding' | 'completed' | 'confirmed' | 'accepted';

/** RFC 3261 §17.2.1: the TU has this long to answer before the transaction sends 100 Trying itself. */
const TRYING_DELAY_MS = 200;

export class InviteServerTransaction extends ServerTransactionBase {
  #state: State = 'proceeding';
  readonly #retransmitter: Retransmitter;

  constructor(key: string, request: SipRequest, source: MessageSource, context: ServerTransactionContext) {
    super(key, request, source, context);
    this.#retransmitter = new Retransmitter(
      context.clock,
      context.timers,
      () => {
        if (this.lastResponse !== undefined) this.transmit(this.lastResponse);
      },
      true,
    );
    this.after(TRYING_DELAY_MS, () => {
      if (this.lastResponse === undefined) this.respond(createResponse(request, 100));
    });
  }

  get state(): State {
    return this.#state;
  }

  get finished(): boolean {
    return this.#state !== 'proceeding' || this.terminated;
  }

  respond(response: SipResponse): void {
    if (this.terminated) return;
    if (this.#state === 'accepted') {
      // A proxy forwards the 2xx retransmissions of the UAS (RFC 6026 §7.1).
      if (response.status >= 200 && response.status < 300) this.transmit(response);
      return;
    }
    if (this.#state !== 'proceeding') return;
    this.lastResponse = response;
    const timeout = transactionTimeout(this.context.timers);
    if (response.status < 200) {
      this.timer?.cancel();
    } else if (response.status < 300) {
      this.#state = 'accepted';
      this.after(timeout, () => {
        this.terminate();
      });
    } else {
      this.#state = 'completed';
      if (!this.reliable) this.#retransmitter.start();
      // Timer H: give up waiting for the ACK.
      this.after(timeout, () => {
        this.terminate();
      });
    }
    this.transmit(response);
  }

  retransmission(): void {
    if (this.terminated || this.lastResponse === undefined) return;
    if (this.#state === 'proceeding' || this.#state === 'completed') this.transmit(this.lastResponse);
  }

  /** An ACK for a non-2xx final response: the transaction is confirmed and absorbs further ACKs. */
  acknowledged(): void {
    if (this.#state !== 'completed') return;
    this.#state = 'confirmed';
    this.#retransmitter.stop();
    if (this.reliable) this.terminate();
    else
      this.after(this.context.timers.t4, () => {
        this.terminate();
      });
  }

  override terminate(): void {
    this.#retransmitter.stop();
    super.terminate();
  }
}
