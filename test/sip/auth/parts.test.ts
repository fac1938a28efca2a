/**
 * The authenticator's parts on their own: nonces, nc tracking and the nonce key file, with their bounds. The
 * failed-login limiter is shared with MSRP and tested in test/auth/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotateNonceKeyFile } from '../../../src/sip/auth/nonce-key-file.js';
import { DigestNonces } from '../../../src/sip/auth/nonce.js';
import { NonceCounts } from '../../../src/sip/auth/nonce-counts.js';

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
    assert.throws(() => new DigestNonces(Buffer.alloc(32), 1000, [Buffer.alloc(8)]), RangeError);
  });

  it("recognises the previous process's nonces as 'previous', never as valid, whatever their age", () => {
    const before = new DigestNonces(Buffer.alloc(32, 1), 300_000);
    const after = new DigestNonces(Buffer.alloc(32, 2), 300_000, [Buffer.alloc(32, 1)]);
    const old = before.issue('example.com', T0);
    assert.deepEqual(after.check(old, 'example.com', T0 + 1), { kind: 'previous' });
    assert.deepEqual(after.check(old, 'example.com', T0 + 900_000), { kind: 'previous' });
    assert.equal(after.check(old, 'example.org', T0 + 1).kind, 'invalid', 'still bound to its realm');
    const fresh = after.issue('example.com', T0);
    assert.equal(after.check(fresh, 'example.com', T0 + 1).kind, 'valid');
    assert.equal(before.check(fresh, 'example.com', T0 + 1).kind, 'invalid');
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

describe('rotateNonceKeyFile', () => {
  it('makes a new key per start, mode 0600, and hands back the one before', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nonce-key-'));
    try {
      const path = join(dir, 'sip-nonce.key');
      const first = await rotateNonceKeyFile(path);
      assert.equal(first.previous, undefined);
      assert.equal(first.key.length, 32);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal((await readFile(path, 'utf8')).trim(), first.key.toString('hex'));
      const second = await rotateNonceKeyFile(path);
      assert.deepEqual(second.previous, first.key);
      assert.notDeepEqual(second.key, first.key);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('treats a damaged file as no previous key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nonce-key-'));
    try {
      const path = join(dir, 'sip-nonce.key');
      await writeFile(path, 'not a key\n', { mode: 0o644 });
      const keys = await rotateNonceKeyFile(path);
      assert.equal(keys.previous, undefined);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
