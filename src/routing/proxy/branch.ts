/**
 * One branch of a proxied request (RFC 3261 §16.6, §16.7) with its state made explicit:
 *
 *   waiting ──start()──▶ proceeding ──complete(final)──▶ completed
 *   (a local branch that runs after a 2xx)   (locating, or its request sent)     (its final response known)
 *
 * and, next to it, its CANCEL (RFC 3261 §9.1: none, wanted until a provisional response allows one, sent).
 * The branch owns its fields; the response context (proxy-context.ts) moves it through these methods only.
 */
import type { FailoverRequest } from '../../sip/dns/failover.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import type { ClientTransaction } from '../../sip/transaction/types.js';
import type { Clock, Timer } from '../../time/clock.js';
import type { LocalTarget, NetworkTarget } from './forward-target.js';

export type BranchState = 'waiting' | 'proceeding' | 'completed';
export type CancelState = 'none' | 'wanted' | 'sent';

/** The request a branch has on the wire now, and the transaction that carries it. */
export interface BranchAttempt {
  readonly transaction: ClientTransaction;
  readonly request: SipRequest;
}

export class Branch {
  /** A local branch of the application's that gates the final response (LocalTarget.holdsFinal). */
  readonly gatesFinal: boolean;
  #state: BranchState;
  #final: SipResponse | undefined;
  #cancel: CancelState = 'none';
  #attempt: BranchAttempt | undefined;
  #timerC: Timer | undefined;
  #failover: FailoverRequest | undefined;
  /** A waiting branch's target, run by start(). */
  #waiting: LocalTarget | undefined;
  /** The device's flows still to try when the current one fails (NetworkTarget.fallbacks). */
  #fallbacks: readonly NetworkTarget[] = [];

  constructor(options: { readonly gatesFinal: boolean; readonly waiting?: LocalTarget | undefined }) {
    this.gatesFinal = options.gatesFinal;
    this.#waiting = options.waiting;
    this.#state = options.waiting === undefined ? 'proceeding' : 'waiting';
  }

  get state(): BranchState {
    return this.#state;
  }

  get final(): SipResponse | undefined {
    return this.#final;
  }

  get cancel(): CancelState {
    return this.#cancel;
  }

  get attempt(): BranchAttempt | undefined {
    return this.#attempt;
  }

  /** Whether the final answer still waits for this branch: a gating branch that started and has not answered. */
  get gating(): boolean {
    return this.gatesFinal && this.#state === 'proceeding';
  }

  /** waiting → proceeding: the target to run now; undefined for a branch that was not waiting. */
  start(): LocalTarget | undefined {
    const target = this.#waiting;
    if (this.#state !== 'waiting' || target === undefined) return undefined;
    this.#waiting = undefined;
    this.#state = 'proceeding';
    return target;
  }

  /** proceeding → completed with `final`; false when the branch had completed already. */
  complete(final: SipResponse): boolean {
    if (this.#state === 'completed') return false;
    this.#state = 'completed';
    this.#final = final;
    this.stopTimerC();
    return true;
  }

  /** The request now on the wire (a new flow, a new DNS target: each replaces the one before). */
  attemptWith(attempt: BranchAttempt | undefined): void {
    this.#attempt = attempt;
  }

  setFallbacks(fallbacks: readonly NetworkTarget[]): void {
    this.#fallbacks = fallbacks;
  }

  /** The next flow of the device, taken off the list; undefined when none is left. */
  takeFallback(): NetworkTarget | undefined {
    const [next, ...rest] = this.#fallbacks;
    this.#fallbacks = rest;
    return next;
  }

  setFailover(failover: FailoverRequest): void {
    this.#failover = failover;
  }

  /** A CANCEL is wanted (RFC 3261 §16.10): no further attempt starts, DNS failover stops. */
  wantCancel(): void {
    if (this.#cancel === 'none') this.#cancel = 'wanted';
    this.#failover?.stop();
  }

  cancelSent(): void {
    this.#cancel = 'sent';
  }

  /** RFC 3261 §16.8: Timer C, restarted by each provisional response. */
  restartTimerC(clock: Clock, ms: number, onFire: () => void): void {
    this.#timerC?.cancel();
    this.#timerC = clock.schedule(ms, onFire);
  }

  stopTimerC(): void {
    this.#timerC?.cancel();
  }
}
