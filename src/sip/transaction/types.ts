/** What the transaction layer needs from the transport layer, and what it offers the layer above (the TU). */
import type { SipRequest, SipResponse } from '../message/message.js';
import type { MessageSource, SendTarget } from '../transport/types.js';

/** The part of TransportLayer the transactions use (an interface, so tests can record what is sent). */
export interface TransactionTransport {
  send(message: SipRequest | SipResponse, target: SendTarget): Promise<void>;
  sendResponse(response: SipResponse, source?: MessageSource): Promise<void>;
  /** Re-sends a serialized response over UDP (what a completed transaction keeps instead of the objects). */
  sendDatagram(bytes: Buffer, host: string, port: number): Promise<void>;
}

/** A received request the TU answers through respond(); retransmissions never reach the TU. */
export interface ServerTransaction {
  readonly request: SipRequest;
  readonly source: MessageSource;
  /** Whether a final response has been sent (or the transaction has ended and can send none). */
  readonly finished: boolean;
  /** Sends a provisional or final response; a second final response is ignored (RFC 3261 §17.2). */
  respond(response: SipResponse): void;
  /**
   * Sends a final response once and ends the transaction without keeping it (RFC 3261 §8.2.7): no
   * retransmission, no record; a retransmitted request is then a new request, and the ACK of this response
   * is absorbed by the transaction layer. For refusals anyone can provoke (stateless-responder.ts).
   */
  respondStatelessly(response: SipResponse): void;
}

/** 'flow-failed': the request had to go over an RFC 5626 flow whose connection is gone. */
export type ClientFailure = 'timeout' | 'transport-error' | 'flow-failed';

export interface ClientTransactionHandler {
  /** Every response the transaction passes up: provisionals, the final, and (INVITE) 2xx retransmissions. */
  onResponse(response: SipResponse, source: MessageSource): void;
  /** Timer B or F fired, or the transport failed: the TU acts as if a 408 or 503 (430 for a flow) arrived (RFC 3261 §8.1.3.1). */
  onFailure(reason: ClientFailure): void;
}

export interface ClientTransaction {
  readonly request: SipRequest;
  readonly target: SendTarget;
  /** Whether a final response (or a failure) has been passed up. */
  readonly finished: boolean;
  /** Whether any provisional or final response arrived (a CANCEL may only be sent then, RFC 3261 §9.1). */
  readonly answered: boolean;
}
