/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2): Trying → Proceeding → Completed → Terminated. Over UDP
 * the Completed state is handed to the layer as the response's bytes (completed.ts); over a reliable transport
 * it lasts no time at all.
 */
import type { SipResponse } from '../message/message.js';
import { serializeMessage } from '../message/serialize.js';
import { responseTarget } from '../transport/response-target.js';
import { ServerTransactionBase } from './server-base.js';

export class NonInviteServerTransaction extends ServerTransactionBase {
  #final = false;

  get finished(): boolean {
    return this.#final || this.terminated;
  }

  respond(response: SipResponse): void {
    if (this.#final || this.terminated) return;
    this.lastResponse = response;
    if (response.status < 200) {
      this.transmit(response);
      return;
    }
    this.#final = true;
    const target = this.reliable ? undefined : responseTarget(response, this.source);
    if (target?.transport === 'udp') {
      // Timer J: retransmissions of the request get these bytes until they can no longer arrive.
      this.context.completeOverUdp(
        this.key,
        { bytes: serializeMessage(response), host: target.host, port: target.port },
        response,
      );
    } else {
      this.transmit(response);
    }
    this.terminate();
  }

  retransmission(): void {
    if (this.lastResponse !== undefined && !this.terminated) this.transmit(this.lastResponse);
  }
}
