/**
 * One push, not two, for a MESSAGE to a sleeping SIP device whose token is stored: the RFC 8599 wake (which the
 * proxy asks for as soon as it forks, before the journal write) and the message push of sylk spec §5.1
 * (after the write, with the unread count as badge) would both reach the same phone. The wake waits a little
 * for the message push to the same token and takes that push's outcome as its own: the phone wakes once, and
 * its notification has the badge and the sender. When no message push comes within the wait (an IMDN, an
 * account without storage, a content type that is not pushed), the wake sends its own push. A message push
 * that came first (the other order) serves a wake that asks within the same time.
 */
import type { Clock, Timer } from '../time/clock.js';
import type { FinalOutcome } from './push-queue.js';

interface PendingWake {
  readonly resolve: (outcome: FinalOutcome | undefined) => void;
  readonly timer: Timer;
}

interface RecentPush {
  readonly at: number;
  readonly outcome: Promise<FinalOutcome>;
}

export class MessageWakes {
  readonly #clock: Clock;
  readonly #waitMs: number;
  /** By device key (account and token). */
  readonly #pending = new Map<string, Set<PendingWake>>();
  /** Message pushes of the last `waitMs`, by device key, oldest first (a Map keeps insertion order). */
  readonly #recent = new Map<string, RecentPush>();

  constructor(clock: Clock, waitMs: number) {
    this.#clock = clock;
    this.#waitMs = waitMs;
  }

  /**
   * A MESSAGE wake for the device `key`: the outcome of a message push to it, one under way already or the
   * first within the wait; undefined when none came, and the wake sends its own.
   */
  messagePushFor(key: string): Promise<FinalOutcome | undefined> {
    this.#forgetOld();
    const recent = this.#recent.get(key);
    if (recent !== undefined) return recent.outcome;
    return new Promise((resolve) => {
      let waits = this.#pending.get(key);
      if (waits === undefined) {
        waits = new Set();
        this.#pending.set(key, waits);
      }
      const wait: PendingWake = {
        resolve,
        timer: this.#clock.schedule(this.#waitMs, () => {
          this.#end(key, wait, undefined);
        }),
      };
      waits.add(wait);
    });
  }

  /** A message push to the device `key` is under way: the wakes waiting for one take its outcome. */
  messagePushed(key: string, outcome: Promise<FinalOutcome>): void {
    const waits = this.#pending.get(key);
    if (waits !== undefined) {
      this.#pending.delete(key);
      for (const wait of waits) {
        wait.timer.cancel();
        void outcome.then(wait.resolve);
      }
    }
    this.#forgetOld();
    this.#recent.delete(key);
    this.#recent.set(key, { at: this.#clock.now(), outcome });
  }

  /** Stops: the waiting wakes go on at once (and find the queue closed). */
  close(): void {
    for (const [key, waits] of [...this.#pending])
      for (const wait of [...waits]) this.#end(key, wait, undefined);
    this.#recent.clear();
  }

  #end(key: string, wait: PendingWake, outcome: FinalOutcome | undefined): void {
    const waits = this.#pending.get(key);
    if (waits?.delete(wait) !== true) return;
    if (waits.size === 0) this.#pending.delete(key);
    wait.timer.cancel();
    wait.resolve(outcome);
  }

  #forgetOld(): void {
    const oldest = this.#clock.now() - this.#waitMs;
    for (const [key, push] of this.#recent) {
      if (push.at > oldest) break;
      this.#recent.delete(key);
    }
  }
}

/** The device a push goes to, as both kinds of push name it. */
export function deviceKey(account: string, token: string): string {
  return `${account}\n${token}`;
}
