/** The authenticator's parts on their own: nonces, nc tracking and the failure limiter, with their bounds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureLimiter } from '../../../src/sip/auth/failure-limiter.js';
import { DigestNonces } from '../../../src/sip/auth/nonce.js';
import { NonceCounts } from '../../../src/sip/auth/nonce-counts.js';
import { ManualClock } from '../../support/manual-clock.js';

const T0 = 1_700_000_000_000;

describe('DigestNonces', () => {
  const nonces = new DigestNonces(Buffer.alloc(32, 7), 300_000);

  it('issues unique base64url nonces that check valid, with their issue time', () => {
    const a = nonces.issue('example.com', T0);
    const b = nonces.issue('example.com', T0);
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9_-]{48}$/);
    assert.deepEqual(nonces.check(a, 'example.com', T0 + 300_000), { kind: 'valid', issuedAt: T0 });
    assert.deepEqual(nonces.check(a, 'example.com', T0 + 300_001), { kind: 'expired', issuedAt: T0 });
  });

  it('binds a nonce to its realm and key', () => {
    const nonce = nonces.issue('example.com', T0);
    assert.equal(nonces.check(nonce, 'example.org', T0).kind, 'invalid');
    assert.equal(
      new DigestNonces(Buffer.alloc(32, 8), 300_000).check(nonce, 'example.com', T0).kind,
      'invalid',
    );
  });

  it('refuses anything it did not issue', () => {
    const nonce = nonces.issue('example.com', T0);
    const flipped = Buffer.from(nonce, 'base64url');
    flipped[3] = (flipped[3] ?? 0) ^ 1; // the time
    for (const text of [
      '',
      'abc',
      nonce.slice(1),
      `${nonce}A`,
      flipped.toString('base64url'),
      nonce.replace(/./, '+'),
    ]) {
      assert.equal(nonces.check(text, 'example.com', T0).kind, 'invalid', text);
    }
  });

  it('wants a key of at least 16 bytes', () => {
    assert.throws(() => new DigestNonces(Buffer.alloc(8), 1000), RangeError);
  });
});

describe('NonceCounts', () => {
  it('accepts growing nc per nonce only', () => {
    const counts = new NonceCounts(10, 300_000);
    assert.equal(counts.advance('n1', T0, 1, T0), true);
    assert.equal(counts.advance('n1', T0, 1, T0), false);
    assert.equal(counts.advance('n1', T0, 3, T0), true);
    assert.equal(counts.advance('n1', T0, 2, T0), false);
    assert.equal(counts.advance('n2', T0, 1, T0), true);
  });

  it('stays within its bound and refuses nonces whose history it may have dropped', () => {
    const counts = new NonceCounts(3, 300_000);
    for (let i = 0; i < 3; i++) assert.equal(counts.advance(`n${i}`, T0 + i, 1, T0 + 10), true);
    // Full: n0 (issued T0) goes; nonces issued no later than it are refused from now on.
    assert.equal(counts.advance('n3', T0 + 3, 1, T0 + 10), true);
    assert.equal(counts.size, 3);
    assert.equal(counts.advance('n0', T0, 2, T0 + 10), false);
    assert.equal(counts.advance('older', T0 - 5, 1, T0 + 10), false);
    assert.equal(counts.advance('n4', T0 + 4, 1, T0 + 10), true);
    assert.equal(counts.size, 3);
  });

  it('forgets expired nonces first', () => {
    const counts = new NonceCounts(2, 1000);
    counts.advance('old', T0, 1, T0);
    counts.advance('new', T0 + 900, 1, T0 + 900);
    assert.equal(counts.advance('newer', T0 + 1500, 1, T0 + 1500), true);
    assert.equal(counts.size, 2);
    assert.equal(counts.advance('new', T0 + 900, 1, T0 + 1500), false, 'still remembered');
  });
});

describe('FailureLimiter', () => {
  it('blocks at the limit for the cooldown, then forgets', () => {
    const clock = new ManualClock(T0);
    const limiter = new FailureLimiter(clock, { maxFailures: 3, windowSeconds: 60, cooldownSeconds: 30 });
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    assert.equal(limiter.isBlocked('a'), false);
    limiter.recordFailure('a');
    assert.equal(limiter.isBlocked('a'), true);
    assert.equal(limiter.isBlocked('b'), false);
    clock.advance(30_000);
    assert.equal(limiter.isBlocked('a'), false);
    limiter.recordFailure('a');
    assert.equal(limiter.isBlocked('a'), false, 'a clean slate after the cooldown');
  });

  it('keeps at most maxEntries keys', () => {
    const clock = new ManualClock(T0);
    const limiter = new FailureLimiter(clock, { maxFailures: 2, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) limiter.recordFailure(`k${i}`);
    assert.equal(limiter.size, 100);
    limiter.recordFailure('k999');
    assert.equal(limiter.isBlocked('k999'), true);
  });

  it('refuses nonsensical limits', () => {
    assert.throws(() => new FailureLimiter(new ManualClock(), { maxFailures: 0 }), RangeError);
    assert.throws(() => new FailureLimiter(new ManualClock(), { windowSeconds: Number.NaN }), RangeError);
  });
});
