/** Digest nonces and opaques (relay spec §2.4, §2.5 steps 8–11, §2.8), driven by a fake clock. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NonceIssuer } from '../../src/msrp/relay/nonces.js';
import type { Clock, Timer } from '../../src/time/clock.js';

/** A clock that only moves when told to; `now` starts at a fixed epoch time. */
class FakeClock implements Clock {
  #timers: { due: number; callback: () => void; cancelled: boolean }[] = [];
  #time: number;

  constructor(time = 1_700_000_000_000) {
    this.#time = time;
  }

  now(): number {
    return this.#time;
  }

  schedule(ms: number, callback: () => void): Timer {
    const timer = { due: this.#time + ms, callback, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  advance(ms: number): void {
    this.#time += ms;
    for (;;) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.due <= this.#time)
        .sort((a, b) => a.due - b.due)[0];
      if (due === undefined) return;
      due.cancelled = true;
      due.callback();
    }
  }
}

const LIFETIME_MS = 15_000;
const IP = '192.0.2.10';

function issuer(): { clock: FakeClock; nonces: NonceIssuer } {
  const clock = new FakeClock();
  return { clock, nonces: new NonceIssuer(clock, LIFETIME_MS) };
}

/** Re-encodes a nonce with a different client IP, keeping the random part and the time. */
function withIp(nonce: string, ip: string): string {
  const plain = Buffer.from(nonce, 'base64').toString('utf8');
  return Buffer.from(plain.replace(/:[^:]*$/, `:${ip}`), 'utf8').toString('base64');
}

describe('issue', () => {
  test('msrprelay wire form: base64(UTF-8(16 chars + "<unix time %.3f>:<client ip>")), 32-hex opaque', () => {
    const { clock, nonces } = issuer();
    clock.advance(123);
    const { nonce, opaque } = nonces.issue(IP);
    assert.match(nonce, /^[A-Za-z0-9+/]+=*$/);
    assert.match(opaque, /^[0-9a-f]{32}$/);
    const chars = Array.from(Buffer.from(nonce, 'base64').toString('utf8'));
    assert.equal(chars.slice(16).join(''), `${((1_700_000_000_000 + 123) / 1000).toFixed(3)}:${IP}`);
    assert.ok(
      chars.slice(0, 16).every((c) => c.codePointAt(0)! <= 0xff),
      'random part: code points 0–255',
    );
  });

  test('every challenge is different (random part, and opaque)', () => {
    const { nonces } = issuer();
    const issued = Array.from({ length: 50 }, () => nonces.issue(IP));
    assert.equal(new Set(issued.map((c) => c.nonce)).size, 50);
    assert.equal(new Set(issued.map((c) => c.opaque)).size, 50);
  });
});

describe('check', () => {
  test('round trip: a fresh challenge checks out for the IP it was issued to', () => {
    const { nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    assert.equal(nonces.check(nonce, opaque, IP), undefined);
  });

  test('IPv6 client addresses (which contain colons) round-trip', () => {
    const { nonces } = issuer();
    const { nonce, opaque } = nonces.issue('2001:db8::1');
    assert.equal(nonces.check(nonce, opaque, '2001:db8::1'), undefined);
    assert.equal(nonces.check(nonce, opaque, '2001:db8::2'), 'This challenge was not issued to you');
  });

  test('another IP: "This challenge was not issued to you"', () => {
    const { nonces } = issuer();
    const { nonce, opaque } = nonces.issue('127.0.0.1');
    assert.equal(nonces.check(nonce, opaque, '127.0.0.2'), 'This challenge was not issued to you');
  });

  test('a tampered or missing opaque: "This nonce/opaque combination was not issued by me"', () => {
    const { nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    const flipped = (opaque[0] === '0' ? '1' : '0') + opaque.slice(1);
    assert.equal(nonces.check(nonce, flipped, IP), 'This nonce/opaque combination was not issued by me');
    assert.equal(nonces.check(nonce, undefined, IP), 'This nonce/opaque combination was not issued by me');
    assert.equal(nonces.check(nonce, '', IP), 'This nonce/opaque combination was not issued by me');
    assert.equal(
      nonces.check(nonce, `${opaque}00`, IP),
      'This nonce/opaque combination was not issued by me',
    );
  });

  test("another challenge's opaque, or a rewritten IP inside the nonce, does not verify", () => {
    const { nonces } = issuer();
    const first = nonces.issue(IP);
    const second = nonces.issue(IP);
    assert.equal(
      nonces.check(first.nonce, second.opaque, IP),
      'This nonce/opaque combination was not issued by me',
    );
    const forged = withIp(first.nonce, '198.51.100.7');
    assert.equal(
      nonces.check(forged, first.opaque, '198.51.100.7'),
      'This nonce/opaque combination was not issued by me',
    );
  });

  test('a challenge from another issuer (another key) does not verify', () => {
    const a = issuer();
    const b = issuer();
    const { nonce, opaque } = a.nonces.issue(IP);
    assert.equal(b.nonces.check(nonce, opaque, IP), 'This nonce/opaque combination was not issued by me');
  });

  test('undecodable nonces: "Could not decode nonce"', () => {
    const { nonces } = issuer();
    const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
    for (const nonce of [
      '',
      '!!!!',
      'abc def',
      b64('short'),
      b64('0123456789abcdef'),
      b64('0123456789abcdefno colon here'),
      b64('0123456789abcdefxyz:1.2.3.4'),
    ]) {
      assert.equal(nonces.check(nonce, '0'.repeat(32), IP), 'Could not decode nonce', JSON.stringify(nonce));
    }
  });

  test('the 16 random characters are counted as code points, as msrprelay did', () => {
    const { nonces } = issuer();
    const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
    const astral = '\u{1F600}'.repeat(16);
    // Decodes (the time and address follow 16 code points), then fails on the opaque.
    assert.equal(
      nonces.check(b64(`${astral}1.000:${IP}`), '0'.repeat(32), IP),
      'This nonce/opaque combination was not issued by me',
    );
    // 16 UTF-16 units are only 8 code points: the colon-free rest cannot be read.
    assert.equal(
      nonces.check(b64(`${'\u{1F600}'.repeat(8)}1.000`), '0'.repeat(32), IP),
      'Could not decode nonce',
    );
    assert.equal(nonces.check(b64(astral), '0'.repeat(32), IP), 'Could not decode nonce');
  });

  test('expiry: valid up to exactly the lifetime, "This challenge has expired" after it', () => {
    const { clock, nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    clock.advance(LIFETIME_MS);
    assert.equal(nonces.check(nonce, opaque, IP), undefined);
    clock.advance(1);
    assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has expired');
  });

  test('setLifetime applies to outstanding challenges (seconds)', () => {
    const { clock, nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    nonces.setLifetime(60);
    clock.advance(59_000);
    assert.equal(nonces.check(nonce, opaque, IP), undefined);
    nonces.setLifetime(30);
    assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has expired');
  });

  test('the checks run in msrprelay order: IP before opaque before expiry', () => {
    const { clock, nonces } = issuer();
    const { nonce } = nonces.issue(IP);
    clock.advance(LIFETIME_MS + 1);
    assert.equal(nonces.check(nonce, 'bad', '203.0.113.1'), 'This challenge was not issued to you');
    assert.equal(nonces.check(nonce, 'bad', IP), 'This nonce/opaque combination was not issued by me');
  });
});

describe('single use', () => {
  test('a consumed nonce is refused, on any connection; other nonces are not affected', () => {
    const { nonces } = issuer();
    const first = nonces.issue(IP);
    const second = nonces.issue(IP);
    // The session takes what consume returns as its id: the nonce's text, whatever it was cut from.
    assert.equal(nonces.consume(` ${first.nonce}`.slice(1)), first.nonce);
    assert.equal(nonces.check(first.nonce, first.opaque, IP), 'This challenge has already been used');
    assert.equal(nonces.check(second.nonce, second.opaque, IP), undefined);
  });

  test('an expired consumed nonce reports expiry, and a consumed nonce stays refused until then', () => {
    const { clock, nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    nonces.consume(nonce);
    for (let i = 0; i < 3; i++) {
      clock.advance(LIFETIME_MS / 3);
      // Consuming other nonces triggers the clean-up of old entries; it must not forget live ones.
      const other = nonces.issue(IP);
      nonces.consume(other.nonce);
      assert.equal(nonces.check(other.nonce, other.opaque, IP), 'This challenge has already been used');
      assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has already been used');
    }
    clock.advance(1);
    assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has expired');
  });

  test('a consumed nonce stays refused after the lifetime is raised (reload) while it is still valid', () => {
    const { clock, nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    nonces.consume(nonce);
    nonces.setLifetime(60); // auth_challenge_expiration_time raised from 15 s to 60 s by a reload
    clock.advance(20_000); // past the old lifetime, within the new one
    assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has already been used');
  });

  test('consuming an undecodable nonce is harmless', () => {
    const { nonces } = issuer();
    nonces.consume('!!!');
    const { nonce, opaque } = nonces.issue(IP);
    assert.equal(nonces.check(nonce, opaque, IP), undefined);
  });
});

describe('key rotation (reload)', () => {
  test('challenges issued before one rotation stay valid; new ones verify with the new key', () => {
    const { nonces } = issuer();
    const before = nonces.issue(IP);
    nonces.rotateKey();
    const after = nonces.issue(IP);
    assert.equal(nonces.check(before.nonce, before.opaque, IP), undefined);
    assert.equal(nonces.check(after.nonce, after.opaque, IP), undefined);
  });

  test('after two rotations the oldest key is gone', () => {
    const { nonces } = issuer();
    const before = nonces.issue(IP);
    nonces.rotateKey();
    const middle = nonces.issue(IP);
    nonces.rotateKey();
    assert.equal(
      nonces.check(before.nonce, before.opaque, IP),
      'This nonce/opaque combination was not issued by me',
    );
    assert.equal(nonces.check(middle.nonce, middle.opaque, IP), undefined);
  });

  test('rotation does not extend a challenge beyond its lifetime', () => {
    const { clock, nonces } = issuer();
    const { nonce, opaque } = nonces.issue(IP);
    clock.advance(LIFETIME_MS + 1);
    nonces.rotateKey();
    assert.equal(nonces.check(nonce, opaque, IP), 'This challenge has expired');
  });
});
