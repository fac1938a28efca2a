/** The non-INVITE server transaction (RFC 3261 §17.2.2): Trying → Proceeding → Completed → Terminated. */
import type { SipResponse } from '../message/message.js';
import { ServerTransactionBase } from './server-base.js';
import { transactionTimeout } from './timers.js';

export class NonInviteServerTransaction extends ServerTransactionBase {
  #final = false;

  get finished(): boolean {
    return this.#final;
  }

  respond(response: SipResponse): void {
    if (this.#final || this.terminated) return;
    this.lastResponse = response;
    if (response.status >= 200) {
      this.#final = true;
      // Timer J: absorb retransmissions of the request until they can no longer arrive.
      if (this.reliable) this.terminate();
      else
        this.after(transactionTimeout(this.context.timers), () => {
          this.terminate();
        });
    }
    this.transmit(response);
  }

  retransmission(): void {
    if (this.lastResponse !== undefined && !this.terminated) this.transmit(this.lastResponse);
  }
}
