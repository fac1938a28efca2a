/**
 * Retransmission over an unreliable transport: calls `send` after T1, then at doubling intervals (capped at T2
 * for Timers E and G, uncapped for Timer A) until stopped.
 */
import type { Clock, Timer } from '../../time/clock.js';
import { nextInterval, type TransactionTimers } from './timers.js';

export class Retransmitter {
  #timer: Timer | undefined;
  #interval: number;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TransactionTimers,
    private readonly send: () => void,
    private readonly capped: boolean,
  ) {
    this.#interval = timers.t1;
  }

  start(interval: number = this.timers.t1): void {
    this.stop();
    this.#interval = interval;
    this.#arm();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.clock.schedule(this.#interval, () => {
      this.send();
      this.#interval = nextInterval(this.#interval, this.timers, this.capped);
      this.#arm();
    });
  }
}
