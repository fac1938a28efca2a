/**
 * Timeouts that are (almost) all of the same length, as transaction timers are: a FIFO with one clock
 * timer for its head, so arming and cancelling cost O(1) and no per-message timer object.
 * An entry pushed with a shorter delay than the one before it fires when that one would (late, not early).
 */
import type { Clock, Timer } from './clock.js';

/** An entry is its own Timer: no closure per deadline (the relay arms one per forwarded chunk). */
class Entry implements Timer {
  readonly #queue: DeadlineQueue;

  constructor(
    queue: DeadlineQueue,
    readonly due: number,
    public callback: ((arg: never) => void) | undefined,
    /** What the callback is called with (addFor): one shared callback instead of a closure per entry. */
    readonly arg: unknown,
  ) {
    this.#queue = queue;
  }

  cancel(): void {
    this.callback = undefined;
    this.#queue.dropCancelledHead();
  }
}

export class DeadlineQueue {
  readonly #entries: Entry[] = [];
  #head = 0;
  #timer: Timer | undefined;

  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(delayMs: number, callback: () => void): Timer {
    return this.addFor(delayMs, callback, undefined);
  }

  /** `callback(arg)` when due: a callback shared by many entries, where add would need a closure each. */
  addFor<T>(delayMs: number, callback: (arg: T) => void, arg: T): Timer {
    const entry = new Entry(this, this.#clock.now() + delayMs, callback, arg);
    this.#compact();
    this.#entries.push(entry);
    if (this.#timer === undefined) this.#arm();
    return entry;
  }

  /**
   * Answers mostly come in order, so cancelled entries gather at the head: let them go now rather than
   * when the head's timer fires, a whole timeout later (until then they, and the array, would stay in memory).
   */
  dropCancelledHead(): void {
    while (this.#head < this.#entries.length && this.#entries[this.#head]?.callback === undefined)
      this.#head++;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  #arm(): void {
    // Skip cancelled entries so an idle queue holds no timer.
    this.dropCancelledHead();
    this.#compact();
    const next = this.#entries[this.#head];
    if (next === undefined) return;
    this.#timer = this.#clock.schedule(Math.max(0, next.due - this.#clock.now()), () => {
      this.#timer = undefined;
      this.#fireDue();
    });
  }

  #fireDue(): void {
    const now = this.#clock.now();
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head];
      if (entry === undefined || entry.due > now) break;
      this.#head++;
      const callback = entry.callback as ((arg: unknown) => void) | undefined;
      entry.callback = undefined;
      callback?.(entry.arg);
    }
    this.#arm();
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
