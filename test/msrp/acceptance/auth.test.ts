// Relay spec §9.2, tests 18–31 and 33: AUTH. The challenge lifetime is 2 s here so that test 24 is short.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type Challenge,
  type Credentials,
  authRequest,
  authorization,
  requestChallenge,
} from '../harness/auth.js';
import type { MsrpConnection } from '../harness/connection.js';
import { expectedRspauth } from '../harness/digest.js';
import { assertChallenge, assertRelayRequest, assertResponse, assertStatus } from '../harness/expect.js';
import { type HeaderList, type MsrpMessage, header, lines, request, show } from '../harness/message.js';
import { describeModes, type Suite } from '../harness/suite.js';
import { sleep } from '../../support/wait.js';

const T = { timeout: 30_000 };
const CHALLENGE_LIFETIME_S = 2;
const LOGIN_FAILED = 'Unauthorized: Login failed:';

/** Helpers shared by both AUTH suites, for a client authenticating to `toUri`. */
function authSteps(s: Suite, toUri: string) {
  const challenge = (a: MsrpConnection): Promise<Challenge> =>
    requestChallenge(a, { toUri, fromUri: s.aUri });
  /** Answers `ch` with the given credentials and extra headers; returns the relay's reply. */
  const answer = async (
    a: MsrpConnection,
    ch: Challenge,
    cred: Credentials = {},
    extra: HeaderList = [],
    tid = 'e5f6a7b8',
  ): Promise<MsrpMessage> => {
    const headers: HeaderList = [['Authorization', authorization(ch, toUri, cred)], ...extra];
    await a.write(authRequest({ tid, toUri, fromUri: s.aUri, headers }));
    return a.nextMessage();
  };
  /** The exact reply to a failed AUTH (To-Path <A>, From-Path = the AUTH's To-Path). */
  const expectReply = (msg: MsrpMessage, status: number, comment: string, headers: HeaderList = []): void => {
    assertResponse(msg, { tid: msg.tid, status, comment, toPath: s.aUri, fromPath: toUri, headers });
  };
  /** The exact 200 of relay spec §2.1 for `ch` answered with cnonce `cnonce`. */
  const expectOk = (msg: MsrpMessage, ch: Challenge, cnonce: string, expires = 600): void => {
    const rspauth = expectedRspauth({
      username: 'alice',
      realm: ch.realm,
      password: '1234',
      nonce: ch.nonce,
      nc: '00000001',
      cnonce,
      digestUri: toUri,
    });
    expectReply(msg, 200, 'OK', [
      ['Use-Path', s.relay.uri(ch.nonce)],
      ['Expires', String(expires)],
      ['Authentication-Info', `qop=auth, cnonce="${cnonce}", nc=00000001, rspauth="${rspauth}"`],
    ]);
  };
  return { challenge, answer, expectReply, expectOk };
}

describeModes('9.2 AUTH', { settings: { auth_challenge_expiration_time: CHALLENGE_LIFETIME_S } }, (s) => {
  const { challenge, answer, expectReply, expectOk } = authSteps(s, s.domainUri);

  it('18 successful AUTH', T, async (t) => {
    const a = await s.scope(t).client();
    const ch = await challenge(a);
    expectOk(await answer(a, ch, { cnonce: 'c0ffee0123456789' }), ch, 'c0ffee0123456789');
  });

  it('19 wrong password twice gets 403, the third attempt closes the connection', T, async (t) => {
    const a = await s.scope(t).client();
    for (let i = 0; i < 2; i++) {
      expectReply(
        await answer(a, await challenge(a), { password: 'wrong' }),
        403,
        `${LOGIN_FAILED} Incorrect password`,
      );
    }
    const third = authorization(await challenge(a), s.domainUri, { password: 'wrong' });
    await a.write(authRequest({ toUri: s.domainUri, fromUri: s.aUri, headers: [['Authorization', third]] }));
    await a.expectClosed();
  });

  it('20 unknown user gets the wrong-password answer by default (no enumeration)', T, async (t) => {
    const a = await s.scope(t).client();
    expectReply(
      await answer(a, await challenge(a), { username: 'carol' }),
      403,
      `${LOGIN_FAILED} Incorrect password`,
    );
  });

  it('21 realm mismatch gets 403 and does not count as an attempt', T, async (t) => {
    const a = await s.scope(t).client();
    for (let i = 0; i < 5; i++) {
      const reply = await answer(a, await challenge(a), { override: { realm: 'other.example' } });
      expectReply(reply, 403, 'Unauthorized: realm does not match');
    }
    const ch = await challenge(a);
    expectOk(await answer(a, ch, { cnonce: 'abc123' }), ch, 'abc123');
  });

  it('22 qop=auth-int gets 403', T, async (t) => {
    const a = await s.scope(t).client();
    expectReply(
      await answer(a, await challenge(a), { override: { qop: 'auth-int' } }),
      403,
      'Unauthorized: qop != auth',
    );
  });

  it('23 Authorization with uri= succeeds (Target)', T, async (t) => {
    const a = await s.scope(t).client();
    const ch = await challenge(a);
    const reply = await answer(a, ch, { cnonce: 'feed01', extra: [`uri="${s.domainUri}"`] });
    expectOk(reply, ch, 'feed01');
  });

  it(
    `24 expired challenge (lifetime ${CHALLENGE_LIFETIME_S} s) gets 403, a fresh one succeeds`,
    T,
    async (t) => {
      const scope = s.scope(t);
      const [early, late] = [await scope.client(), await scope.client()];
      const [chEarly, chLate] = [await challenge(early), await challenge(late)];
      await sleep((CHALLENGE_LIFETIME_S * 1000) / 2);
      expectOk(await answer(early, chEarly, { cnonce: 'aa11' }), chEarly, 'aa11');
      await sleep((CHALLENGE_LIFETIME_S * 1000) / 2 + 1000);
      const reply = await answer(late, chLate);
      t.diagnostic(`expired challenge answered with ${reply.startLine}`);
      if (reply.status === 401) {
        // Target (optional): a new challenge with stale=true.
        assert.match(header(reply, 'WWW-Authenticate') ?? '', /, stale=true(,|$)/, show(reply));
      } else {
        expectReply(reply, 403, `${LOGIN_FAILED} This challenge has expired`);
      }
    },
  );

  it('25 challenge answered from another IP gets 403', T, async (t) => {
    const scope = s.scope(t);
    const ch = await challenge(await scope.client());
    const other = await scope.client({ localAddress: '127.0.0.2' });
    expectReply(await answer(other, ch), 403, `${LOGIN_FAILED} This challenge was not issued to you`);
  });

  it('26 tampered opaque gets 403', T, async (t) => {
    const a = await s.scope(t).client();
    const ch = await challenge(a);
    const opaque = (ch.opaque.startsWith('0') ? '1' : '0') + ch.opaque.slice(1);
    const reply = await answer(a, ch, { override: { opaque } });
    expectReply(reply, 403, `${LOGIN_FAILED} This nonce/opaque combination was not issued by me`);
  });

  it('27 nonce replay on a second connection gets 403 and creates no session (Target)', T, async (t) => {
    const scope = s.scope(t);
    const first = await scope.client();
    const ch = await challenge(first);
    const replayed = authRequest({
      tid: 'e5f6a7b8',
      toUri: s.domainUri,
      fromUri: s.aUri,
      headers: [['Authorization', authorization(ch, s.domainUri, { cnonce: 'dd44' })]],
    });
    await first.write(replayed);
    expectOk(await first.nextMessage(), ch, 'dd44');
    const second = await scope.client();
    await second.write(replayed);
    assertStatus(await second.nextMessage(), 'e5f6a7b8', 403);
    // Still NEW: a request there is "501 Unknown method", not "481 … unbound session".
    await second.write(
      request({
        tid: 'r27abcde',
        method: 'REPORT',
        toPath: `${s.relay.uri(ch.nonce)} ${s.aUri}`,
        fromPath: s.aUri,
      }),
    );
    assertStatus(await second.nextMessage(), 'r27abcde', 501);
    second.destroy();
    // The first session is intact: it binds and relays.
    const endpoint = await scope.endpoint();
    const toB = `${s.relay.uri(ch.nonce)} ${endpoint.uri()}`;
    const headers: HeaderList = [
      ['Message-ID', 'm27'],
      ['Byte-Range', '1-0/0'],
    ];
    await first.write(request({ tid: 's27abcde', method: 'SEND', toPath: toB, fromPath: s.aUri, headers }));
    assertResponse(await first.nextMessage(), {
      tid: 's27abcde',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: s.relay.uri(ch.nonce),
    });
    const b = await endpoint.nextConnection();
    assertRelayRequest(await b.nextMessage(), {
      method: 'SEND',
      toPath: endpoint.uri(),
      fromPath: `${s.relay.uri(ch.nonce)} ${s.aUri}`,
      headers,
    });
  });

  it('28 Expires bounds', T, async (t) => {
    const a = await s.scope(t).client();
    const reply10 = await answer(a, await challenge(a), {}, [['Expires', '10']]);
    expectReply(reply10, 423, 'Parameter out of bounds', [['Min-Expires', '60']]);
    const reply4000 = await answer(a, await challenge(a), {}, [['Expires', '4000']]);
    expectReply(reply4000, 423, 'Parameter out of bounds', [['Max-Expires', '3600']]);
    const ch = await challenge(a);
    expectOk(await answer(a, ch, { cnonce: 'ee55' }, [['Expires', '120']]), ch, 'ee55', 120);
  });

  it('29 refresh AUTH on an unbound session', T, async (t) => {
    const a = await s.scope(t).client();
    const ch = await challenge(a);
    expectOk(await answer(a, ch, { cnonce: 'ff66' }), ch, 'ff66');
    const useA = s.relay.uri(ch.nonce);
    await a.write(
      authRequest({ tid: 'r1abcdef', toUri: useA, fromUri: s.aUri, headers: [['Expires', '100']] }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 'r1abcdef',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: useA,
      headers: [
        ['Use-Path', useA],
        ['Expires', '100'],
      ],
    });
    await a.write(
      authRequest({ tid: 'r2abcdef', toUri: useA, fromUri: s.aUri, headers: [['Expires', '30']] }),
    );
    assertResponse(await a.nextMessage(), {
      tid: 'r2abcdef',
      status: 423,
      comment: 'Parameter out of bounds',
      toPath: s.aUri,
      fromPath: useA,
      headers: [['Min-Expires', '60']],
    });
  });

  it('30 second full AUTH on an authenticated connection gets 481', T, async (t) => {
    const a = await s.scope(t).client();
    const ch = await challenge(a);
    expectOk(await answer(a, ch, { cnonce: '0a0a' }), ch, '0a0a');
    await a.write(authRequest({ tid: 'a3000000', toUri: s.domainUri, fromUri: s.aUri }));
    expectReply(
      await a.nextMessage(),
      481,
      'Indicated session does not exist, please terminate: Wrong session id on relay MSRP URI',
    );
  });

  it('31 AUTH with two To-Path URIs in state NEW gets 501', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(
      lines(
        'MSRP a3100000 AUTH',
        `To-Path: ${s.domainUri} ${s.mode.scheme}://127.0.0.1:40002/bsess;tcp`,
        `From-Path: ${s.aUri}`,
        '-------a3100000$',
      ),
    );
    expectReply(await a.nextMessage(), 501, 'Unknown method: AUTH');
  });
});

describeModes('9.2 AUTH with default_domain', { settings: { default_domain: 'example.com' } }, (s) => {
  it('33 default_domain sets the realm for any To-Path host', T, async (t) => {
    const toUri = s.relay.uri();
    const { answer, expectOk } = authSteps(s, toUri);
    const a = await s.scope(t).client();
    await a.write(authRequest({ tid: 'a3300000', toUri, fromUri: s.aUri }));
    const msg = await a.nextMessage();
    const { nonce, opaque } = assertChallenge(msg, {
      tid: 'a3300000',
      toPath: s.aUri,
      fromPath: toUri,
      realm: 'example.com',
    });
    const ch = { message: msg, realm: 'example.com', nonce, opaque };
    expectOk(await answer(a, ch, { cnonce: '3333' }), ch, '3333');
  });
});
