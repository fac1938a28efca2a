/**
 * Retransmission over an unreliable transport: calls `send` after T1, then at doubling intervals (capped at T2
 * for Timers E and G, uncapped for Timer A) until stopped.
 */
import type { Clock, Timer } from '../../time/clock.js';
import { nextInterval, type TransactionTimers } from './timers.js';

export class Retransmitter {
  #timer: Timer | undefined;
  #interval: number;

  readonly #clock: Clock;
  readonly #timers: TransactionTimers;
  readonly #send: () => void;
  readonly #capped: boolean;

  constructor(clock: Clock, timers: TransactionTimers, send: () => void, capped: boolean) {
    this.#clock = clock;
    this.#timers = timers;
    this.#send = send;
    this.#capped = capped;
    this.#interval = timers.t1;
  }

  start(interval: number = this.#timers.t1): void {
    this.stop();
    this.#interval = interval;
    this.#arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.#clock.schedule(this.#interval, () => {
      this.#send();
      this.#interval = nextInterval(this.#interval, this.#timers, this.#capped);
      this.#arm();
    });
  }
}
