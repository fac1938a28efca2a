/** What the client transactions share: sending the request and ending exactly once. */
import type { Clock, Timer } from '../../time/clock.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { FlowFailedError, type MessageSource, type SendTarget } from '../transport/types.js';
import type { TransactionTimers } from './timers.js';
import type {
  ClientFailure,
  ClientTransaction,
  ClientTransactionHandler,
  TransactionTransport,
} from './types.js';

export interface ClientTransactionContext {
  readonly transport: TransactionTransport;
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly terminated: (key: string) => void;
  /** Timer K over UDP: the layer swallows retransmitted responses for this key for T4. */
  readonly completeOverUdp: (key: string) => void;
  /** The transaction's first final response (TransactionLayerOptions.onClientFinal). */
  readonly finalReceived?: ((request: SipRequest, response: SipResponse) => void) | undefined;
}

export abstract class ClientTransactionBase implements ClientTransaction {
  protected timeoutTimer: Timer | undefined;
  protected waitTimer: Timer | undefined;
  #finished = false;
  #answered = false;
  #terminated = false;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly target: SendTarget,
    protected readonly handler: ClientTransactionHandler,
    protected readonly context: ClientTransactionContext,
    /** Timer B or F: how long the transaction waits for a final response (64*T1 unless a caller says less). */
    protected readonly timeoutMs: number,
  ) {}

  get finished(): boolean {
    return this.#finished;
  }

  get answered(): boolean {
    return this.#answered;
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  protected get reliable(): boolean {
    return this.target.transport !== 'udp';
  }

  /** Sends the request for the first time and arms the timers. */
  abstract start(): void;
  abstract receive(response: SipResponse, source: MessageSource): void;

  protected transmit(message: SipRequest): void {
    this.context.transport.send(message, this.target).catch((error: unknown) => {
      this.fail(error instanceof FlowFailedError ? 'flow-failed' : 'transport-error');
    });
  }

  protected passUp(response: SipResponse, source: MessageSource): void {
    this.#answered = true;
    if (response.status >= 200 && !this.#finished) {
      this.#finished = true;
      this.context.finalReceived?.(this.request, response);
    }
    this.handler.onResponse(response, source);
  }

  protected fail(reason: ClientFailure): void {
    if (this.#terminated) return;
    const wasFinished = this.#finished;
    this.#finished = true;
    this.terminate();
    if (!wasFinished) this.handler.onFailure(reason);
  }

  /** Ends in `ms` (0: now); the Completed and Accepted states' wait (Timers D, K, M). */
  protected terminateAfter(ms: number): void {
    this.timeoutTimer?.cancel();
    if (ms === 0) {
      this.terminate();
      return;
    }
    this.waitTimer = this.context.clock.schedule(ms, () => {
      this.terminate();
    });
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.timeoutTimer?.cancel();
    this.waitTimer?.cancel();
    this.stopRetransmitting();
    this.context.terminated(this.key);
  }

  protected abstract stopRetransmitting(): void;
}
