/** What the server transactions share: the request, the last response, and sending it. */
import type { Clock, Timer } from '../../time/clock.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import type { MessageSource } from '../transport/types.js';
import type { StoredResponse } from './completed.js';
import type { TransactionTimers } from './timers.js';
import type { ServerTransaction, TransactionTransport } from './types.js';

export interface ServerTransactionContext {
  readonly transport: TransactionTransport;
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  /** Called once, when the transaction ends: the layer forgets it. */
  readonly terminated: (key: string) => void;
  /** A response that could not be sent: the transaction ends (RFC 3261 §17.2.4); the layer may log it. */
  readonly sendFailed: (error: unknown) => void;
  /** Keeps a final UDP response as bytes to answer retransmissions with (Timer J), and sends it. */
  readonly completeOverUdp: (key: string, stored: StoredResponse, response: SipResponse) => void;
  /** Sends a final response without a transaction (stateless-responder.ts). */
  readonly sendStatelessly: (request: SipRequest, response: SipResponse, source: MessageSource) => void;
}

export abstract class ServerTransactionBase implements ServerTransaction {
  protected lastResponse: SipResponse | undefined;
  protected timer: Timer | undefined;
  #terminated = false;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly source: MessageSource,
    protected readonly context: ServerTransactionContext,
  ) {}

  /** RFC 3261 §17.2.3: over an unreliable transport the final-state timers wait; over a reliable one they do not. */
  protected get reliable(): boolean {
    return this.source.transport !== 'udp';
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  abstract get finished(): boolean;
  abstract respond(response: SipResponse): void;
  /** The same request arrived again. */
  abstract retransmission(): void;

  respondStatelessly(response: SipResponse): void {
    if (this.terminated || this.finished) return;
    if (response.status < 200) throw new RangeError('only a final response is sent statelessly');
    // Ended first: the layer forgets the key before the response can provoke a retransmission.
    this.terminate();
    this.context.sendStatelessly(this.request, response, this.source);
  }

  protected transmit(response: SipResponse): void {
    this.context.transport.sendResponse(response, this.source).catch((error: unknown) => {
      this.context.sendFailed(error);
      this.terminate();
    });
  }

  /** Arms the single timer of the current state (replacing any other). */
  protected after(ms: number, action: () => void): void {
    this.timer?.cancel();
    this.timer = this.context.clock.schedule(ms, action);
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.context.terminated(this.key);
  }
}
