/**
 * Final responses sent without a transaction (RFC 3261 §8.2.7; Kamailio's `sl_send_reply`): one response per
 * request received, nothing retransmitted, nothing kept. A refusal that anyone can provoke with a spoofed
 * source address (a digest challenge, a full transaction table) then costs no memory and sends no more bytes
 * than it received: a stateful INVITE transaction would retransmit its final response up to 11 times.
 *
 * RFC 3261 §8.2.7 asks for To tags made "in a manner that will generate the same tag for the same request
 * consistently": here a prefix of this responder followed by a hash of what a retransmission repeats
 * (Call-ID, From tag, CSeq, top Via branch). The prefix is how the ACK of such a response, which has no
 * transaction to match, is recognised and absorbed instead of being forwarded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { getCSeq } from '../headers/cseq.js';
import { getFrom, getTo } from '../headers/name-addr.js';
import { getTopVia } from '../headers/via.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { MessageSource } from '../transport/types.js';
import type { TransactionTransport } from './types.js';

const PREFIX_BYTES = 6;
const HASH_BYTES = 9;
/** Between the prefix and the hash: a token character (RFC 3261 §25.1) that base64url never produces. */
const SEPARATOR = '.';

export class StatelessResponder {
  readonly #transport: TransactionTransport;
  readonly #sendFailed: (error: unknown) => void;
  readonly #prefix: string;

  constructor(transport: TransactionTransport, sendFailed: (error: unknown) => void) {
    this.#transport = transport;
    this.#sendFailed = sendFailed;
    this.#prefix = randomBytes(PREFIX_BYTES).toString('base64url') + SEPARATOR;
  }

  /** Sends `response` to `request` once, with this responder's To tag when the request's To has none. */
  send(request: SipRequest, response: SipResponse, source: MessageSource): void {
    const to = request.headers.get('To');
    if (to !== undefined && getTo(request.headers)?.tag === undefined && response.status > 100) {
      response.headers.set('To', `${to};tag=${this.tagFor(request)}`);
    }
    this.#transport.sendResponse(response, source).catch(this.#sendFailed);
  }

  /** The To tag of the stateless responses to `request`: the same for each of its retransmissions. */
  tagFor(request: SipRequest): string {
    const hash = createHash('sha256')
      .update(request.headers.get('Call-ID') ?? '')
      .update('\0')
      .update(getFrom(request.headers)?.tag ?? '')
      .update('\0')
      .update(String(getCSeq(request.headers)?.seq ?? ''))
      .update('\0')
      .update(getTopVia(request.headers)?.branch ?? '');
    return this.#prefix + hash.digest('base64url').slice(0, (HASH_BYTES * 4) / 3);
  }

  /** Whether `ack` acknowledges a response this responder sent (its To tag is one of ours). */
  acknowledgesOurs(ack: SipRequest): boolean {
    return getTo(ack.headers)?.tag?.startsWith(this.#prefix) === true;
  }
}
