/** A transaction layer over a transport that records what is sent, driven by a manual clock. */
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { serializeMessage } from '../../../src/sip/message/serialize.js';
import {
  TransactionLayer,
  type TransactionLayerOptions,
  type TransactionUser,
} from '../../../src/sip/transaction/transaction-layer.js';
import type { ServerTransaction, TransactionTransport } from '../../../src/sip/transaction/types.js';
import type { MessageSource, SendTarget, TransportProtocol } from '../../../src/sip/transport/types.js';
import { ManualClock } from '../../support/manual-clock.js';
import { message, parseMessage, parseRequest, parseResponse } from '../helpers.js';

export interface Sent {
  readonly message: SipMessage;
  readonly at: number;
}

export class RecordingTransport implements TransactionTransport {
  readonly sent: Sent[] = [];
  failNext = false;
  readonly #clock: ManualClock;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  send(message: SipMessage): Promise<void> {
    return this.#record(message);
  }

  sendResponse(response: SipResponse): Promise<void> {
    return this.#record(response);
  }

  sendDatagram(bytes: Buffer): Promise<void> {
    return this.#record(parseMessage(bytes));
  }

  #record(message: SipMessage): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('network down'));
    }
    this.sent.push({ message, at: this.#clock.now() });
    return Promise.resolve();
  }

  /** Times at which something matching `predicate` was sent. */
  times(predicate: (message: SipMessage) => boolean): number[] {
    return this.sent.filter((s) => predicate(s.message)).map((s) => s.at);
  }
}

export class RecordingUser implements TransactionUser {
  readonly requests: ServerTransaction[] = [];
  readonly acks: SipRequest[] = [];
  readonly strays: SipResponse[] = [];

  onRequest(transaction: ServerTransaction): void {
    this.requests.push(transaction);
  }

  onAck(request: SipRequest): void {
    this.acks.push(request);
  }

  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
}

export function setup(options: Omit<TransactionLayerOptions, 'clock'> = {}): {
  clock: ManualClock;
  transport: RecordingTransport;
  user: RecordingUser;
  layer: TransactionLayer;
} {
  const clock = new ManualClock();
  const transport = new RecordingTransport(clock);
  const user = new RecordingUser();
  const layer = new TransactionLayer(transport, { ...options, clock });
  layer.setUser(user);
  return { clock, transport, user, layer };
}

export function source(transport: TransportProtocol = 'udp'): MessageSource {
  return {
    transport,
    host: '192.0.2.1',
    port: 5060,
    local: { host: '127.0.0.1', port: 5060 },
    ...(transport === 'udp' ? {} : { connectionId: `${transport}-1` }),
  };
}

export function target(transport: TransportProtocol = 'udp'): SendTarget {
  return { transport, host: '192.0.2.2', port: 5060 };
}

/** A request with the given method and top Via branch, parsed from the wire. */
export function sipRequest(method: string, branch = 'z9hG4bKone', seq = 1, cseqMethod = method): SipRequest {
  return parseRequest(
    message([
      `${method} sip:bob@example.com SIP/2.0`,
      `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
      'Max-Forwards: 70',
      'From: Alice <sip:alice@example.com>;tag=a1',
      'To: Bob <sip:bob@example.com>',
      'Call-ID: call-1@192.0.2.1',
      `CSeq: ${String(seq)} ${cseqMethod}`,
      'Route: <sip:proxy.example.com;lr>',
      'Content-Length: 0',
    ]),
  );
}

/** A response to `request` as it comes back over the wire: same Via, To with a tag. */
export function reply(request: SipRequest, status: number): SipResponse {
  return parseResponse(serializeMessage(createResponse(request, status, undefined, { toTag: 'b1' })));
}

export const isRequest =
  (method: string) =>
  (message: SipMessage): boolean =>
    message.kind === 'request' && message.method === method;

export const isStatus =
  (status: number) =>
  (message: SipMessage): boolean =>
    message.kind === 'response' && message.status === status;
