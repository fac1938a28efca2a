/**
 * The transaction layer (RFC 3261 §17): matches what the transport layer receives to server and client
 * transactions, absorbs retransmissions, and passes the rest to the transaction user (TU):
 * - a new request (CANCEL included) as a ServerTransaction to answer;
 * - an ACK that matches no INVITE server transaction in Completed state (the ACK for a 2xx) as is;
 * - a response that matches no client transaction (a "stray", which a proxy forwards statelessly, RFC 3261
 * §16.7). A request without a usable Via or CSeq is answered 400 statelessly by the transport layer's parser
 * checks before it gets here; one that still cannot be keyed is dropped.
 *
 * The server transactions (live ones and the records of completed ones) are capped: a new request beyond
 * `maxServerTransactions` gets 503 with Retry-After (RFC 3261 §21.5.4), sent statelessly, and never reaches
 * the TU. What belongs to an existing transaction still passes when the table is full: retransmissions, ACKs,
 * responses, and the CANCEL of a live INVITE. The TU's own stateless answers (respondStatelessly) and the
 * ACKs of all stateless answers are handled here too (stateless-responder.ts).
 */
import type { Clock } from '../../time/clock.js';
import { systemClock } from '../../time/clock.js';
import { getTopVia } from '../headers/via.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js';
import type { MessageSource, SendTarget } from '../transport/types.js';
import type { ClientTransactionBase } from './client-base.js';
import { InviteClientTransaction } from './client-invite.js';
import { NonInviteClientTransaction } from './client-non-invite.js';
import { clientTransactionKey, responseTransactionKey, serverTransactionKey } from './keys.js';
import type { ServerTransactionBase } from './server-base.js';
import { InviteServerTransaction } from './server-invite.js';
import { NonInviteServerTransaction } from './server-non-invite.js';
import { CompletedTransactions, type StoredResponse } from './completed.js';
import { createResponse } from '../message/create-response.js';
import { StatelessResponder } from './stateless-responder.js';
import { DEFAULT_FULL_RETRY_AFTER_SECONDS, DEFAULT_MAX_SERVER_TRANSACTIONS } from './limits.js';
import { DEFAULT_TIMERS, type TransactionTimers, transactionTimeout } from './timers.js';
import type {
  ClientTransaction,
  ClientTransactionHandler,
  ServerTransaction,
  TransactionTransport,
} from './types.js';

export interface TransactionUser {
  onRequest(transaction: ServerTransaction): void;
  onAck(request: SipRequest, source: MessageSource): void;
  onStrayResponse(response: SipResponse, source: MessageSource): void;
}

export interface TransactionLayerOptions {
  readonly clock?: Clock | undefined;
  readonly timers?: TransactionTimers | undefined;
  /** Told when a response could not be sent (the transaction then ends). */
  readonly onSendError?: ((error: unknown) => void) | undefined;
  /**
   * Server transactions kept at most, live or completed (Timer J records); beyond it new requests get 503.
   * Default DEFAULT_MAX_SERVER_TRANSACTIONS.
   */
  readonly maxServerTransactions?: number | undefined;
  /** Retry-After of that 503, in seconds. Default DEFAULT_FULL_RETRY_AFTER_SECONDS. */
  readonly fullRetryAfterSeconds?: number | undefined;
  /**
   * Told when the table becomes full (true), and when it has room again (false: below ROOM_AGAIN of the cap,
   * so that a table hovering at the cap does not report every slot) with the requests refused meanwhile.
   */
  readonly onFull?: ((full: boolean, refused: number) => void) | undefined;
  /**
   * Told of each final response of a non-INVITE transaction sent over UDP: those leave as stored bytes
   * (Timer J), which the transport's onSent does not see. For metrics.
   */
  readonly onFinalOverUdp?: ((response: SipResponse) => void) | undefined;
  /**
   * Told once per client transaction, of the first final response it receives: the retransmissions of that
   * final (over UDP) and an INVITE's later 2xx are not told. For metrics (a delivery counts once).
   */
  readonly onClientFinal?: ((request: SipRequest, response: SipResponse) => void) | undefined;
}

export { DEFAULT_FULL_RETRY_AFTER_SECONDS, DEFAULT_MAX_SERVER_TRANSACTIONS } from './limits.js';

/** The share of the cap below which a full table counts as having room again (for onFull only). */
const ROOM_AGAIN = 0.9;

export interface ClientRequestOptions {
  /**
   * Timer B or F of this transaction, when shorter than 64*T1 is wanted: RFC 3263 §4.3 failover shares one
   * transaction's time among several targets.
   */
  readonly timeoutMs?: number | undefined;
}

export class TransactionLayer {
  readonly #server = new Map<string, ServerTransactionBase>();
  readonly #client = new Map<string, ClientTransactionBase>();
  /** Timer J records: completed non-INVITE server transactions over UDP. */
  readonly #answered: CompletedTransactions<StoredResponse>;
  /** Timer K records: completed non-INVITE client transactions over UDP. */
  readonly #finished: CompletedTransactions<true>;
  readonly #serverContext;
  readonly #clientContext;
  #user: TransactionUser | undefined;
  readonly #onSendError: (error: unknown) => void;
  readonly #clientTimeoutMs: number;
  readonly #stateless: StatelessResponder;
  readonly #maxServer: number;
  readonly #fullRetryAfter: string;
  readonly #onFull: (full: boolean, refused: number) => void;
  #full = false;
  /** Stopping: new requests get 503 while the transactions in progress finish (drain()). */
  #draining = false;
  /** Requests refused since the table was last full. */
  #refused = 0;

  readonly #transport: TransactionTransport;

  constructor(transport: TransactionTransport, options: TransactionLayerOptions = {}) {
    this.#transport = transport;
    const clock = options.clock ?? systemClock;
    const timers = options.timers ?? DEFAULT_TIMERS;
    const sendFailed = options.onSendError ?? (() => undefined);
    this.#onSendError = sendFailed;
    this.#clientTimeoutMs = transactionTimeout(timers);
    this.#stateless = new StatelessResponder(transport, sendFailed);
    this.#maxServer = options.maxServerTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS;
    if (!(Number.isInteger(this.#maxServer) && this.#maxServer > 0))
      throw new RangeError('maxServerTransactions must be a positive integer');
    this.#fullRetryAfter = String(options.fullRetryAfterSeconds ?? DEFAULT_FULL_RETRY_AFTER_SECONDS);
    this.#onFull = options.onFull ?? (() => undefined);
    const onFinalOverUdp = options.onFinalOverUdp;
    this.#answered = new CompletedTransactions(clock, transactionTimeout(timers));
    this.#finished = new CompletedTransactions(clock, timers.t4);
    this.#serverContext = {
      transport,
      clock,
      timers,
      terminated: (key: string) => this.#server.delete(key),
      sendFailed,
      completeOverUdp: (key: string, stored: StoredResponse, response: SipResponse) => {
        this.#answered.add(key, stored);
        this.#resend(stored);
        onFinalOverUdp?.(response);
      },
      sendStatelessly: (request: SipRequest, response: SipResponse, source: MessageSource) => {
        this.#stateless.send(request, response, source);
      },
    };
    this.#clientContext = {
      transport,
      clock,
      timers,
      terminated: (key: string) => this.#client.delete(key),
      completeOverUdp: (key: string) => {
        this.#finished.add(key, true);
      },
      finalReceived: options.onClientFinal,
    };
  }

  /** The TU; set once, before messages arrive. */
  setUser(user: TransactionUser): void {
    this.#user = user;
  }

  /** Live server transactions, and completed ones still absorbing retransmissions. */
  get serverTransactions(): number {
    return this.#server.size + this.#answered.size;
  }

  /** Server transactions not answered yet, and client transactions waiting for their final response. */
  get inProgress(): number {
    return this.#server.size + this.#client.size;
  }

  /**
   * A graceful stop has begun: new requests get 503 with Retry-After (RFC 3261 §21.5.4, as when the table is
   * full), so that a client tries another server, while the transactions in progress go on to their end.
   */
  drain(): void {
    this.#draining = true;
  }

  get clientTransactions(): number {
    return this.#client.size + this.#finished.size;
  }

  /** Feed for the transport layer's 'message' event. */
  receive(message: SipMessage, source: MessageSource): void {
    if (message.kind === 'request') this.#receiveRequest(message, source);
    else this.#receiveResponse(message, source);
  }

  /**
   * Starts a client transaction for a request whose top Via (with a fresh RFC 3261 branch) the caller has
   * pushed. ACK is not a transaction: send it with the transport directly.
   */
  sendRequest(
    request: SipRequest,
    target: SendTarget,
    handler: ClientTransactionHandler,
    options: ClientRequestOptions = {},
  ): ClientTransaction {
    const branch = getTopVia(request.headers)?.branch;
    if (branch === undefined) throw new TypeError('a client transaction needs a top Via with a branch');
    if (request.method === 'ACK') throw new TypeError('ACK is not sent in a client transaction');
    const key = clientTransactionKey(branch, request.method);
    const Transaction = request.method === 'INVITE' ? InviteClientTransaction : NonInviteClientTransaction;
    const timeoutMs = options.timeoutMs ?? this.#clientTimeoutMs;
    const transaction = new Transaction(key, request, target, handler, this.#clientContext, timeoutMs);
    this.#client.set(key, transaction);
    transaction.start();
    return transaction;
  }

  /** The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2), while it exists. */
  findInvite(cancel: SipRequest): ServerTransaction | undefined {
    const key = serverTransactionKey(cancel, 'INVITE');
    const transaction = key === undefined ? undefined : this.#server.get(key);
    return transaction instanceof InviteServerTransaction ? transaction : undefined;
  }

  /** Ends every transaction without sending anything (shutdown). */
  clear(): void {
    for (const transaction of [...this.#server.values()]) transaction.terminate();
    for (const transaction of [...this.#client.values()]) transaction.terminate();
    this.#answered.clear();
    this.#finished.clear();
  }

  #receiveRequest(request: SipRequest, source: MessageSource): void {
    const key = serverTransactionKey(request);
    if (key === undefined) return;
    const existing = this.#server.get(key);
    if (request.method === 'ACK') {
      if (existing instanceof InviteServerTransaction && existing.state !== 'accepted') {
        existing.acknowledged();
        return;
      }
      // The ACK of a stateless refusal has no transaction to end; it goes nowhere (RFC 3261 §8.2.7, §17.2.1).
      if (this.#stateless.acknowledgesOurs(request)) return;
      this.#user?.onAck(request, source);
      return;
    }
    if (existing !== undefined) {
      existing.retransmission();
      return;
    }
    const answered = this.#answered.get(key);
    if (answered !== undefined) {
      this.#resend(answered);
      return;
    }
    if (this.#draining && !this.#cancelsLiveInvite(request)) {
      const response = createResponse(request, 503);
      response.headers.add('Retry-After', this.#fullRetryAfter);
      this.#stateless.send(request, response, source);
      return;
    }
    if (this.serverTransactions >= this.#maxServer && !this.#cancelsLiveInvite(request)) {
      this.#refuseWhenFull(request, source);
      return;
    }
    if (this.#full && this.serverTransactions < this.#maxServer * ROOM_AGAIN) {
      this.#full = false;
      this.#onFull(false, this.#refused);
    }
    const Transaction = request.method === 'INVITE' ? InviteServerTransaction : NonInviteServerTransaction;
    const transaction = new Transaction(key, request, source, this.#serverContext);
    this.#server.set(key, transaction);
    this.#user?.onRequest(transaction);
  }

  /** A CANCEL is let in over the cap for a live INVITE: at most one per INVITE (it shares the branch, RFC 3261 §9.1). */
  #cancelsLiveInvite(request: SipRequest): boolean {
    return request.method === 'CANCEL' && this.findInvite(request) !== undefined;
  }

  #refuseWhenFull(request: SipRequest, source: MessageSource): void {
    if (!this.#full) {
      this.#full = true;
      this.#refused = 0;
      this.#onFull(true, 0);
    }
    this.#refused++;
    const response = createResponse(request, 503);
    response.headers.add('Retry-After', this.#fullRetryAfter);
    this.#stateless.send(request, response, source);
  }

  #receiveResponse(response: SipResponse, source: MessageSource): void {
    const key = responseTransactionKey(response);
    if (key === undefined) return;
    const transaction = this.#client.get(key);
    if (transaction !== undefined) transaction.receive(response, source);
    else if (this.#finished.get(key) === undefined) this.#user?.onStrayResponse(response, source);
  }

  #resend(response: StoredResponse): void {
    this.#transport.sendDatagram(response.bytes, response.host, response.port).catch((error: unknown) => {
      this.#onSendError(error);
    });
  }
}
