/** Server-side SIP digest (RFC 3261 §22, RFC 7616, RFC 8760): challenges, checks, replays, login limits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginLimiter } from '../../../src/auth/login-limiter.js';
import { MemoryCredentialStore } from '../../../src/credentials/memory.js';
import {
  type CredentialStore,
  CredentialStoreError,
  type StoredCredential,
} from '../../../src/credentials/store.js';
import {
  type AuthKind,
  type AuthOutcome,
  DigestAuthenticator,
  type DigestAuthenticatorOptions,
} from '../../../src/sip/auth/index.js';
import { getTo } from '../../../src/sip/headers/name-addr.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { ManualClock } from '../../support/manual-clock.js';
import { message, parseRequest } from '../helpers.js';
import { challengesOf, digestAuthorization, firstNonce, hash, type DigestAnswer } from './digest-client.js';

const REALM = 'example.com';
const URI = 'sip:example.com';
const T0 = 1_700_000_000_000;
const ALICE = '192.0.2.10';

function request(authorization?: string, kind: AuthKind = 'www', uri = URI): SipRequest {
  const header = kind === 'www' ? 'Authorization' : 'Proxy-Authorization';
  return parseRequest(
    message([
      `REGISTER ${uri} SIP/2.0`,
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7',
      'Max-Forwards: 70',
      'From: <sip:alice@example.com>;tag=456248',
      'To: <sip:alice@example.com>',
      'Call-ID: 843817637684230@998sdasdh09',
      'CSeq: 1826 REGISTER',
      ...(authorization === undefined ? [] : [`${header}: ${authorization}`]),
      'Content-Length: 0',
    ]),
  );
}

/** Counts look-ups, and fails them on demand. */
class CountingStore implements CredentialStore {
  lookups = 0;
  failWith: Error | undefined;
  readonly #inner: CredentialStore;
  constructor(inner: CredentialStore) {
    this.#inner = inner;
  }
  async lookup(username: string, domain: string): Promise<StoredCredential | undefined> {
    this.lookups++;
    if (this.failWith !== undefined) throw this.failWith;
    return this.#inner.lookup(username, domain);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(options: Partial<DigestAuthenticatorOptions> = {}) {
  const clock = new ManualClock(T0);
  const store = new CountingStore(
    new MemoryCredentialStore([
      ['alice@example.com', 'secret'],
      ['bob@example.com', 'hunter2'],
    ]),
  );
  const auth = new DigestAuthenticator({ credentials: store, clock, ...options });
  const run = (req: SipRequest, source = ALICE, kind: AuthKind = 'www'): Promise<AuthOutcome> =>
    auth.authenticate(req, { realm: REALM, kind, sourceAddress: source });
  /** A challenge, then the answer built by `answer` from its nonce. */
  const login = async (
    answer: Partial<DigestAnswer> = {},
    source = ALICE,
    kind: AuthKind = 'www',
  ): Promise<AuthOutcome> => {
    const challenge = await run(request(undefined, kind), source, kind);
    // A locked-out address is refused before any challenge.
    if (rejectedResponse(challenge).status === 403) return challenge;
    const nonce = firstNonce(rejectedResponse(challenge));
    return run(request(digestAuthorization(answerFor(nonce, answer)), kind), source, kind);
  };
  return { clock, store, auth, run, login };
}

function answerFor(nonce: string, answer: Partial<DigestAnswer> = {}): DigestAnswer {
  return {
    username: 'alice',
    realm: REALM,
    password: 'secret',
    nonce,
    method: 'REGISTER',
    uri: URI,
    ...answer,
  };
}

function rejectedResponse(outcome: AuthOutcome): SipResponse {
  if (outcome.kind !== 'rejected') assert.fail('expected a rejection');
  return outcome.response;
}

function assertAuthenticated(outcome: AuthOutcome, username = 'alice'): void {
  if (outcome.kind !== 'authenticated') {
    assert.fail(`expected success, got ${outcome.response.status} ${outcome.response.reason}`);
  }
  assert.deepEqual(outcome.identity, { username, realm: REALM });
}

function assertChallenge(outcome: AuthOutcome, stale = false): SipResponse {
  const response = rejectedResponse(outcome);
  assert.equal(response.status, 401, `${response.status} ${response.reason}`);
  const [challenge] = challengesOf(response);
  assert.ok(challenge !== undefined);
  assert.equal(challenge.stale, stale ? 'true' : undefined);
  return response;
}

describe('DigestAuthenticator', () => {
  it('challenges a request without credentials: 401, MD5 only by default, qop=auth, a To tag', async () => {
    const { run, store } = setup();
    const response = rejectedResponse(await run(request()));
    assert.equal(response.status, 401);
    assert.equal(response.reason, 'Unauthorized');
    const challenges = challengesOf(response);
    assert.equal(challenges.length, 1);
    assert.deepEqual(
      { ...challenges[0], nonce: undefined, names: undefined },
      { realm: REALM, nonce: undefined, algorithm: 'MD5', qop: 'auth', stale: undefined, names: undefined },
    );
    assert.match(challenges[0]?.nonce ?? '', /^[A-Za-z0-9_-]{48}$/);
    assert.ok(getTo(response.headers)?.tag !== undefined);
    assert.equal(response.headers.get('Call-ID'), '843817637684230@998sdasdh09');
    assert.equal(store.lookups, 0);
  });

  it('offers several algorithms as one challenge each, preferred first, with one nonce (RFC 8760)', async () => {
    const { run } = setup({ algorithms: ['SHA-256', 'MD5'] });
    const challenges = challengesOf(rejectedResponse(await run(request())));
    assert.deepEqual(
      challenges.map((c) => c.algorithm),
      ['SHA-256', 'MD5'],
    );
    assert.equal(challenges[0]?.nonce, challenges[1]?.nonce);
  });

  it('accepts a correct MD5 answer, with or without algorithm=', async () => {
    const { login } = setup();
    assertAuthenticated(await login());
    assertAuthenticated(await login({ sayAlgorithm: false }));
  });

  it('accepts a correct SHA-256 answer from a password or from a stored SHA-256 HA1', async () => {
    const { login } = setup({ algorithms: ['SHA-256', 'MD5'] });
    assertAuthenticated(await login({ algorithm: 'SHA-256' }));
    assertAuthenticated(await login({ algorithm: 'MD5' }));

    const clock = new ManualClock(T0);
    const ha1Store: CredentialStore = {
      lookup: () =>
        Promise.resolve({
          kind: 'ha1',
          ha1: {
            MD5: hash('MD5', 'alice:example.com:secret'),
            'SHA-256': hash('SHA-256', 'alice:example.com:secret').toUpperCase(),
          },
        }),
      close: () => Promise.resolve(),
    };
    const auth = new DigestAuthenticator({ credentials: ha1Store, clock, algorithms: ['SHA-256'] });
    const context = { realm: REALM, kind: 'www', sourceAddress: ALICE } as const;
    const nonce = firstNonce(rejectedResponse(await auth.authenticate(request(), context)));
    const answer = digestAuthorization(answerFor(nonce, { algorithm: 'SHA-256' }));
    assertAuthenticated(await auth.authenticate(request(answer), context));
  });

  it('challenges again when the answer uses an algorithm that was not offered', async () => {
    const { login, store } = setup();
    assertChallenge(await login({ algorithm: 'SHA-256' }));
    assert.equal(store.lookups, 0);
  });

  it('answers 407 with Proxy-Authenticate and reads Proxy-Authorization for kind "proxy"', async () => {
    const { run, login } = setup();
    const response = rejectedResponse(await run(request(undefined, 'proxy'), ALICE, 'proxy'));
    assert.equal(response.status, 407);
    assert.equal(response.headers.count('Proxy-Authenticate'), 1);
    assert.equal(response.headers.count('WWW-Authenticate'), 0);
    assertAuthenticated(await login({}, ALICE, 'proxy'));
  });

  it('gives the same answer, a fresh challenge, for a wrong password and for an unknown user', async () => {
    const { login } = setup();
    const wrong = assertChallenge(await login({ password: 'guess' }));
    const unknown = assertChallenge(await login({ username: 'mallory' }));
    const shape = (response: SipResponse) => ({
      status: response.status,
      reason: response.reason,
      headers: response.headers.fields().map((f) => f.key),
      challenges: challengesOf(response).map((c) => ({ ...c, nonce: c.nonce.length })),
    });
    assert.deepEqual(shape(wrong), shape(unknown));
  });

  it('ignores credentials for another realm and challenges for its own', async () => {
    const { login, store } = setup();
    assertChallenge(await login({ realm: 'other.example' }));
    assert.equal(store.lookups, 0);
  });

  it('refuses a digest-uri that is not the Request-URI, accepts an equivalent spelling', async () => {
    const { login } = setup();
    const mismatch = rejectedResponse(await login({ uri: 'sip:other.example' }));
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.reason, 'Digest URI Mismatch');
    assertAuthenticated(await login({ uri: 'sip:EXAMPLE.com' }));
  });

  it('refuses credentials missing a required field or with an unknown qop with 400', async () => {
    const { run } = setup();
    const missing = rejectedResponse(
      await run(request(`Digest username="alice", realm="${REALM}", nonce="x", uri="${URI}"`)),
    );
    assert.equal(missing.status, 400);
    assert.equal(missing.reason, 'Digest response Missing');
    const authInt = rejectedResponse(
      await run(
        request(
          `Digest username="alice", realm="${REALM}", nonce="x", uri="${URI}", response="0", qop=auth-int, nc=00000001, cnonce="c"`,
        ),
      ),
    );
    assert.equal(authInt.status, 400);
    const badNc = rejectedResponse(
      await run(
        request(
          `Digest username="alice", realm="${REALM}", nonce="x", uri="${URI}", response="0", qop=auth, nc=1, cnonce="c"`,
        ),
      ),
    );
    assert.equal(badNc.reason, 'Digest nc Invalid');
  });

  it('answers an expired but authentic nonce with stale=true, and only when the password is right', async () => {
    const { run, clock } = setup();
    const nonce = firstNonce(rejectedResponse(await run(request())));
    clock.advance(301_000);
    assertChallenge(await run(request(digestAuthorization(answerFor(nonce)))), true);
    assertChallenge(await run(request(digestAuthorization(answerFor(nonce, { password: 'no' })))), false);
  });

  it('a nonce is good for its whole lifetime (300 s by default)', async () => {
    const { run, clock } = setup();
    const nonce = firstNonce(rejectedResponse(await run(request())));
    clock.advance(299_000);
    assertAuthenticated(await run(request(digestAuthorization(answerFor(nonce)))));
  });

  it('challenges forged, tampered, foreign-realm and other-key nonces without stale', async () => {
    const { run, auth } = setup();
    const real = firstNonce(rejectedResponse(await run(request())));
    const tampered = (real.startsWith('A') ? 'B' : 'A') + real.slice(1);
    const otherRealm = firstNonce(
      rejectedResponse(
        await auth.authenticate(request(), { realm: 'other.example', kind: 'www', sourceAddress: ALICE }),
      ),
    );
    const otherKey = firstNonce(rejectedResponse(await setup().run(request())));
    for (const nonce of ['forged', 'A'.repeat(48), tampered, otherRealm, otherKey, `${real}=`]) {
      assertChallenge(await run(request(digestAuthorization(answerFor(nonce)))), false);
    }
  });

  it('accepts a nonce again with a higher nc, refuses a repeated or lower nc with stale=true', async () => {
    const { run } = setup();
    const nonce = firstNonce(rejectedResponse(await run(request())));
    const withNc = (nc: number) => request(digestAuthorization(answerFor(nonce, { nc, cnonce: `c${nc}` })));
    assertAuthenticated(await run(withNc(1)));
    assertAuthenticated(await run(withNc(2)));
    assertChallenge(await run(withNc(2)), true);
    assertChallenge(await run(withNc(1)), true);
    assertAuthenticated(await run(withNc(5)));
  });

  it('refuses RFC 2069 answers (no qop) unless allowed; allowed, each nonce is single-use', async () => {
    const strict = setup();
    const refused = rejectedResponse(await strict.login({ nc: null }));
    assert.equal(refused.status, 400);
    assert.equal(refused.reason, 'Digest qop Required');

    const lenient = setup({ allowNoQop: true });
    const nonce = firstNonce(rejectedResponse(await lenient.run(request())));
    const answer = request(digestAuthorization(answerFor(nonce, { nc: null })));
    assertAuthenticated(await lenient.run(answer));
    assertChallenge(await lenient.run(answer), true);
  });

  it('answers 500 with Retry-After when the credential store fails, and counts no failure', async () => {
    const { login, store } = setup({
      retryAfterSeconds: 7,
      failures: { pairMaxFailures: 1, sourceMaxFailures: 1 },
    });
    store.failWith = new CredentialStoreError('database is down');
    const response = rejectedResponse(await login());
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('Retry-After'), '7');
    store.failWith = new Error('an unexpected bug');
    assert.equal(rejectedResponse(await login()).status, 500);
    store.failWith = undefined;
    assertAuthenticated(await login());
  });

  it('answers a nonce of the previous process (its key) with stale=true when the password is right, never accepts it', async () => {
    const before = setup({ nonceKey: Buffer.alloc(32, 1) });
    const old = firstNonce(rejectedResponse(await before.run(request())));
    const after = setup({ nonceKey: Buffer.alloc(32, 2), previousNonceKeys: [Buffer.alloc(32, 1)] });
    assertChallenge(await after.run(request(digestAuthorization(answerFor(old)))), true);
    assertChallenge(
      await after.run(request(digestAuthorization(answerFor(old, { nc: 9, cnonce: 'n' })))),
      true,
    );
    assertChallenge(await after.run(request(digestAuthorization(answerFor(old, { password: 'no' })))), false);
    // Without the previous key it is a stranger's nonce: a plain challenge.
    const unrelated = setup({ nonceKey: Buffer.alloc(32, 3) });
    assertChallenge(await unrelated.run(request(digestAuthorization(answerFor(old)))), false);
    assertAuthenticated(await after.login());
  });

  describe('failed-login limits (per source, per source and account; none per account alone)', () => {
    it('blocks a source after its failures over any accounts, without asking the store, for the cooldown', async () => {
      const { login, run, store, clock } = setup({ failures: { sourceMaxFailures: 10 } });
      const earlier = firstNonce(rejectedResponse(await run(request())));
      for (let i = 0; i < 10; i++) assertChallenge(await login({ username: `user${i}`, password: 'x' }));
      const lookups = store.lookups;
      // Even the right password, on a nonce issued before the block.
      const refused = rejectedResponse(await run(request(digestAuthorization(answerFor(earlier)))));
      assert.equal(refused.status, 403);
      assert.equal(refused.reason, 'Too Many Failed Attempts');
      assert.equal(rejectedResponse(await run(request())).status, 403, 'no challenges either');
      assert.equal(store.lookups, lookups);
      // Another address is not affected.
      assertAuthenticated(await login({ username: 'bob', password: 'hunter2' }, '198.51.100.7'), 'bob');
      clock.advance(299_000);
      assert.equal(rejectedResponse(await run(request())).status, 403);
      clock.advance(2_000);
      assertAuthenticated(await login());
    });

    it('blocks a source for one account after 5 failures; that source may log in to others', async () => {
      const { login, store } = setup();
      for (let i = 0; i < 5; i++) assertChallenge(await login({ password: `guess${i}` }));
      const lookups = store.lookups;
      const refused = rejectedResponse(await login());
      assert.equal(refused.status, 403, 'the right password, from the blocked pair');
      assert.equal(refused.reason, 'Too Many Failed Attempts');
      assert.equal(store.lookups, lookups);
      assertAuthenticated(await login({ username: 'bob', password: 'hunter2' }), 'bob');
      assertAuthenticated(await login({}, '198.51.100.99'), 'alice');
    });

    it('never locks an account: failures from many sources leave the right password from another working', async () => {
      const { login } = setup();
      for (let i = 0; i < 50; i++) assertChallenge(await login({ password: `guess${i}` }, `203.0.113.${i}`));
      assertAuthenticated(await login({}, '198.51.100.99'));
    });

    it('10,000 failures for made-up users from other sources do not free a blocked pair', async () => {
      const { login } = setup();
      const attacker = '203.0.113.66';
      for (let i = 0; i < 10; i++) await login({ password: `guess${String(i)}` }, attacker);
      assert.equal(rejectedResponse(await login({}, attacker)).status, 403, 'blocked');
      for (let i = 0; i < 10_000; i++) {
        const source = `10.${String(i >> 16)}.${String((i >> 8) & 255)}.${String(i & 255)}`;
        assertChallenge(await login({ username: `ghost${String(i)}`, password: 'x' }, source));
      }
      assert.equal(rejectedResponse(await login({}, attacker)).status, 403, 'still blocked');
    });

    it('counts an IPv6 /64 as one source', async () => {
      const { login } = setup({ failures: { pairMaxFailures: 3 } });
      for (let i = 1; i <= 3; i++) assertChallenge(await login({ password: 'x' }, `2001:db8:0:1::${i}`));
      assert.equal(rejectedResponse(await login({}, '2001:db8:0:1::99')).status, 403);
      assertAuthenticated(await login({}, '2001:db8:0:2::1'));
    });

    it('counts failures within the window only, and a success clears the pair', async () => {
      const { login, clock } = setup();
      for (let i = 0; i < 4; i++) assertChallenge(await login({ password: 'x' }));
      clock.advance(301_000);
      for (let i = 0; i < 4; i++) assertChallenge(await login({ password: 'x' }));
      assertAuthenticated(await login());
      for (let i = 0; i < 4; i++) assertChallenge(await login({ password: 'x' }));
      assertAuthenticated(await login());
    });

    it('takes its limits from the options', async () => {
      const { login, clock } = setup({
        failures: { pairMaxFailures: 2, windowSeconds: 10, cooldownSeconds: 5 },
      });
      assertChallenge(await login({ password: 'x' }));
      assertChallenge(await login({ password: 'x' }));
      assert.equal(rejectedResponse(await login()).status, 403);
      clock.advance(5_000);
      assertAuthenticated(await login());
    });

    it('shares its limiter: failures another way in recorded block here', async () => {
      const clock = new ManualClock(T0);
      const limiter = new LoginLimiter(clock);
      const { login } = setup({ limiter });
      for (let i = 0; i < 5; i++) limiter.recordFailure(ALICE, 'alice@example.com', true);
      assert.equal(rejectedResponse(await login()).status, 403);
      assertAuthenticated(await login({}, '198.51.100.99'));
    });

    it('stale nonces, foreign realms and replays are not failures', async () => {
      const { run, login, clock } = setup({ failures: { pairMaxFailures: 1, sourceMaxFailures: 1 } });
      const nonce = firstNonce(rejectedResponse(await run(request())));
      assertAuthenticated(await run(request(digestAuthorization(answerFor(nonce)))));
      assertChallenge(await run(request(digestAuthorization(answerFor(nonce)))), true);
      assertChallenge(await login({ realm: 'other.example' }));
      clock.advance(400_000);
      assertChallenge(await run(request(digestAuthorization(answerFor(nonce)))), true);
      assertAuthenticated(await login());
    });
  });
});
