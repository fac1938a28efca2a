/** A clock that only moves when told to, firing due timers in due order (FIFO among equals). */
import assert from 'node:assert/strict';
import type { Clock, Timer } from '../../src/time/clock.js';

interface Scheduled {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  #time: number;
  #sequence = 0;
  #timers: Scheduled[] = [];

  constructor(start = 0) {
    this.#time = start;
  }

  now(): number {
    return this.#time;
  }

  schedule(ms: number, callback: () => void): Timer {
    assert.ok(ms >= 0, `negative delay ${String(ms)}`);
    const timer: Scheduled = { due: this.#time + ms, seq: this.#sequence++, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward step by step, so that each timer fires at its own due time. */
  advance(ms: number): void {
    const target = this.#time + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => !t.cancelled && t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#time = Math.max(this.#time, next.due);
      next.cancelled = true;
      next.callback();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#time = target;
  }
}
