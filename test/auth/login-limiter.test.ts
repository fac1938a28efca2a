/** LoginLimiter: the one failed-login limiter of a process, with the manual clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LoginLimiter } from '../../src/auth/login-limiter.js';
import { ManualClock } from '../support/manual-clock.js';

const T0 = 1_700_000_000_000;
const ALICE = 'alice@example.com';
const ATTACKER = '203.0.113.66';

function fail(limiter: LoginLimiter, times: number, source: string, account: string, exists = true): void {
  for (let i = 0; i < times; i++) limiter.recordFailure(source, account, exists);
}

describe('LoginLimiter', () => {
  it('blocks a (source, account) pair after 5 failures, for that account and that source only', () => {
    const limiter = new LoginLimiter(new ManualClock(T0));
    fail(limiter, 4, ATTACKER, ALICE);
    assert.deepEqual(limiter.check(ATTACKER, ALICE), { allowed: true });
    fail(limiter, 1, ATTACKER, ALICE);
    assert.deepEqual(limiter.check(ATTACKER, ALICE), {
      allowed: false,
      blocked: 'account',
      retryAfterSeconds: 300,
    });
    assert.equal(limiter.check(ATTACKER, 'ALICE@example.com').allowed, false, 'any spelling');
    assert.equal(limiter.check(ATTACKER).allowed, true, 'the source itself is not blocked');
    assert.equal(limiter.check(ATTACKER, 'bob@example.com').allowed, true);
    assert.equal(limiter.check('198.51.100.1', ALICE).allowed, true, 'the real user elsewhere');
  });

  it('never blocks an account for everyone: failures from many sources leave others alone', () => {
    const limiter = new LoginLimiter(new ManualClock(T0));
    for (let i = 0; i < 200; i++) fail(limiter, 10, `10.0.${String(i >> 8)}.${String(i & 255)}`, ALICE);
    assert.equal(limiter.check('198.51.100.1', ALICE).allowed, true);
  });

  it('blocks a source after 60 failures over any accounts (spraying), for every account', () => {
    const limiter = new LoginLimiter(new ManualClock(T0));
    for (let i = 0; i < 59; i++) limiter.recordFailure(ATTACKER, `user${String(i)}@example.com`, i % 2 === 0);
    assert.equal(limiter.check(ATTACKER).allowed, true);
    limiter.recordFailure(ATTACKER, 'one-more@example.com', false);
    assert.deepEqual(limiter.check(ATTACKER, ALICE), {
      allowed: false,
      blocked: 'source',
      retryAfterSeconds: 300,
    });
    assert.equal(limiter.check('198.51.100.1', ALICE).allowed, true);
  });

  it('ends a block after the cooldown, and failures while blocked do not prolong it', () => {
    const clock = new ManualClock(T0);
    const limiter = new LoginLimiter(clock, { pairMaxFailures: 2, cooldownSeconds: 10 });
    fail(limiter, 2, ATTACKER, ALICE);
    clock.advance(9_500);
    assert.deepEqual(limiter.check(ATTACKER, ALICE), {
      allowed: false,
      blocked: 'account',
      retryAfterSeconds: 1,
    });
    fail(limiter, 1, ATTACKER, ALICE);
    clock.advance(500);
    assert.equal(limiter.check(ATTACKER, ALICE).allowed, true);
  });

  it("a success clears the pair's count but not the source's", () => {
    const limiter = new LoginLimiter(new ManualClock(T0), { pairMaxFailures: 3, sourceMaxFailures: 5 });
    fail(limiter, 2, ATTACKER, ALICE);
    limiter.recordSuccess(ATTACKER, ALICE);
    fail(limiter, 2, ATTACKER, ALICE);
    assert.equal(limiter.check(ATTACKER, ALICE).allowed, true, 'the pair starts again');
    limiter.recordFailure(ATTACKER, 'bob@example.com', true);
    assert.equal(limiter.check(ATTACKER).allowed, false, '5 failures from the source in all');
  });

  it('10,000+ failures for made-up users from other sources do not free a blocked pair, or a count', () => {
    const limiter = new LoginLimiter(new ManualClock(T0), { maxEntries: 1_000 });
    fail(limiter, 5, ATTACKER, ALICE);
    fail(limiter, 3, ATTACKER, 'bob@example.com');
    for (let i = 0; i < 12_000; i++) {
      limiter.recordFailure(
        `10.${String(i >> 16)}.${String((i >> 8) & 255)}.${String(i & 255)}`,
        `ghost${String(i)}@example.com`,
        false,
      );
    }
    assert.equal(limiter.check(ATTACKER, ALICE).allowed, false);
    fail(limiter, 2, ATTACKER, 'bob@example.com');
    assert.equal(limiter.check(ATTACKER, 'bob@example.com').allowed, false, 'the count of 3 was kept');
    const { sources, knownPairs, unknownPairs } = limiter.sizes;
    assert.ok(
      sources <= 2_000 && knownPairs <= 2_000 && unknownPairs <= 2_000,
      JSON.stringify(limiter.sizes),
    );
  });

  it('logs one warning when a source or a pair of an existing account becomes blocked', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ level: 'warn' }, sink);
    const limiter = new LoginLimiter(
      new ManualClock(T0),
      { pairMaxFailures: 2, sourceMaxFailures: 4 },
      logger,
    );
    fail(limiter, 3, ATTACKER, ALICE);
    fail(limiter, 3, ATTACKER, 'ghost@example.com', false);
    assert.deepEqual(
      lines.map(({ msg, source, account }) => ({ msg, source, account })),
      [
        { msg: 'failed logins: source blocked for this account', source: ATTACKER, account: ALICE },
        { msg: 'failed logins: source blocked', source: ATTACKER, account: undefined },
      ],
    );
  });

  it('refuses nonsensical limits', () => {
    assert.throws(() => new LoginLimiter(new ManualClock(), { pairMaxFailures: 0 }), RangeError);
    assert.throws(() => new LoginLimiter(new ManualClock(), { windowSeconds: Number.NaN }), RangeError);
    assert.throws(() => new LoginLimiter(new ManualClock(), { maxEntries: -1 }), RangeError);
  });
});
