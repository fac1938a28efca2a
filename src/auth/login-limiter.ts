/**
 * The one failed-login limiter of a process, shared by every way in that checks a password against the
 * subscriber table: SIP digest (sip/auth/authenticator.ts), MSRP AUTH (msrp/relay/authenticator.ts) and
 * the WebSocket API. A caller asks `check` before it looks at a password, then reports the outcome with
 * `recordFailure` or `recordSuccess`. Sharing one instance means a guess costs the same wherever it is
 * made: failures over MSRP block SIP REGISTERs from the same source, and the other way round.
 *
 * Design: the limiter must stop guessing without letting an attacker lock the real user out.
 * - Failures are counted per source (an IPv4 address, an IPv6 /64: source-key.ts) and per (source,
 *   account). There is deliberately no limit per account alone: it would let anyone deny an account by
 *   failing on purpose from anywhere. A right password from a source that is not itself blocked, for that
 *   account or altogether, always gets in.
 * - (source, account): `pairMaxFailures` failures within `windowSeconds` block that source for that
 *   account for `cooldownSeconds` (right password or not). Guessing one account from one address is slow;
 *   the real user elsewhere, even behind another address of the same attacker's choosing, is unaffected.
 * - source: `sourceMaxFailures` failures within the window, over any accounts, block the source for every
 *   account (password spraying, enumeration). The default is high enough for a NAT of honest users, where
 *   each misconfigured device is soon stopped by its own (source, account) block and stops counting.
 * - A blocked attempt is refused before any lookup and is not counted again, so the block ends on time.
 * - A success clears that (source, account)'s count, not the source's: a valid account of the attacker's
 *   own would otherwise reset its spraying budget.
 * - Memory is bounded by `maxEntries` per table, and a full table cannot be used to lift a block
 *   (failure-table.ts). Failures for accounts that do not exist go to a table of their own, so a flood of
 *   made-up names never evicts what is counted for real accounts.
 * - No growing delay per account either: a delay does not slow a guesser who sends in parallel (over UDP
 *   it costs nothing), it slows the real user as much as the attacker, and every delayed request is held
 *   in memory. Refusing a blocked source at once, before any lookup, costs nothing to hold.
 * What stays possible: a distributed guesser gets `pairMaxFailures` guesses per account per window from
 * each source (IPv4 address, IPv6 /64) it controls; that is the price of never locking the account itself.
 * Where every client arrives from one address (a NAT, a proxy that is not a --trusted-peer), they share
 * that source's limit: raise `sourceMaxFailures` there.
 */
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import { FailureTable } from './failure-table.js';
import { sourceKey } from './source-key.js';

export interface LoginLimits {
  /** Failures for one account from one source, within the window, that block the pair. Default 5. */
  readonly pairMaxFailures?: number | undefined;
  /** Failures from one source over all accounts, within the window, that block the source. Default 60. */
  readonly sourceMaxFailures?: number | undefined;
  /** The window failures are counted in, from the first. Default 300 s. */
  readonly windowSeconds?: number | undefined;
  /** How long a block lasts. Default 300 s. */
  readonly cooldownSeconds?: number | undefined;
  /** Keys remembered per table (sources; pairs of existing accounts; pairs of unknown ones). Default 20 000. */
  readonly maxEntries?: number | undefined;
}

export const DEFAULT_PAIR_MAX_FAILURES = 5;
export const DEFAULT_SOURCE_MAX_FAILURES = 60;
export const DEFAULT_LOGIN_WINDOW_SECONDS = 300;
export const DEFAULT_LOGIN_COOLDOWN_SECONDS = 300;
export const DEFAULT_LOGIN_MAX_ENTRIES = 20_000;

export type LoginCheck =
  | { readonly allowed: true }
  /** `blocked`: which limit refused; `retryAfterSeconds`: when it ends (rounded up). */
  | { readonly allowed: false; readonly blocked: 'source' | 'account'; readonly retryAfterSeconds: number };

/** What a way in needs of the limiter: check before, record the outcome after. */
export interface LoginGate {
  /** Before the password is checked; without `account` (not known yet) only the source is checked. */
  check(source: string, account?: string): LoginCheck;
  /** A wrong password, or an account that does not exist (`accountExists` false). */
  recordFailure(source: string, account: string, accountExists: boolean): void;
  /** The right password. */
  recordSuccess(source: string, account: string): void;
}

const ALLOWED: LoginCheck = { allowed: true };

export class LoginLimiter implements LoginGate {
  readonly #sources: FailureTable;
  readonly #knownPairs: FailureTable;
  readonly #unknownPairs: FailureTable;
  readonly #cooldownSeconds: number;
  readonly #logger: Logger | undefined;

  /** `logger`: one warning each time a source or pair becomes blocked (at most one per key per cooldown). */
  constructor(clock: Clock, limits: LoginLimits = {}, logger?: Logger) {
    const windowMs = positive(limits.windowSeconds ?? DEFAULT_LOGIN_WINDOW_SECONDS, 'windowSeconds') * 1000;
    const cooldownMs =
      positive(limits.cooldownSeconds ?? DEFAULT_LOGIN_COOLDOWN_SECONDS, 'cooldownSeconds') * 1000;
    const maxEntries = positive(limits.maxEntries ?? DEFAULT_LOGIN_MAX_ENTRIES, 'maxEntries');
    const pairMaxFailures = positive(limits.pairMaxFailures ?? DEFAULT_PAIR_MAX_FAILURES, 'pairMaxFailures');
    const sourceMaxFailures = positive(
      limits.sourceMaxFailures ?? DEFAULT_SOURCE_MAX_FAILURES,
      'sourceMaxFailures',
    );
    const table = (maxFailures: number): FailureTable =>
      new FailureTable(clock, { maxFailures, windowMs, cooldownMs, maxEntries });
    this.#sources = table(sourceMaxFailures);
    this.#knownPairs = table(pairMaxFailures);
    this.#unknownPairs = table(pairMaxFailures);
    this.#cooldownSeconds = cooldownMs / 1000;
    this.#logger = logger;
  }

  check(source: string, account?: string): LoginCheck {
    const from = sourceKey(source);
    const sourceLeft = this.#sources.blockedFor(from);
    if (sourceLeft > 0) return refused('source', sourceLeft);
    if (account === undefined) return ALLOWED;
    const pair = pairKey(from, account);
    const pairLeft = Math.max(this.#knownPairs.blockedFor(pair), this.#unknownPairs.blockedFor(pair));
    return pairLeft > 0 ? refused('account', pairLeft) : ALLOWED;
  }

  recordFailure(source: string, account: string, accountExists: boolean): void {
    const from = sourceKey(source);
    if (this.#sources.recordFailure(from)) {
      this.#logger?.warn({ source: from, seconds: this.#cooldownSeconds }, 'failed logins: source blocked');
    }
    const pairs = accountExists ? this.#knownPairs : this.#unknownPairs;
    if (pairs.recordFailure(pairKey(from, account)) && accountExists) {
      this.#logger?.warn(
        { source: from, account, seconds: this.#cooldownSeconds },
        'failed logins: source blocked for this account',
      );
    }
  }

  recordSuccess(source: string, account: string): void {
    this.#knownPairs.forgetFailures(pairKey(sourceKey(source), account));
  }

  /** Entries remembered, per table (for tests and metrics). */
  get sizes(): { readonly sources: number; readonly knownPairs: number; readonly unknownPairs: number } {
    return {
      sources: this.#sources.size,
      knownPairs: this.#knownPairs.size,
      unknownPairs: this.#unknownPairs.size,
    };
  }
}

/**
 * Lower-cased: a store may match user names without regard to case (MySQL's default collations do), and
 * each spelling must not get a count of its own.
 */
function pairKey(source: string, account: string): string {
  return `${source} ${account.toLowerCase()}`;
}

function refused(blocked: 'source' | 'account', leftMs: number): LoginCheck {
  return { allowed: false, blocked, retryAfterSeconds: Math.ceil(leftMs / 1000) };
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}
