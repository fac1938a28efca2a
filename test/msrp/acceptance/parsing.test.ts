// Relay spec §9.1, tests 1–17: parsing and framing.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { authRequest } from '../harness/auth.js';
import { assertChallenge, assertRelayRequest, assertResponse, assertStatus } from '../harness/expect.js';
import { type HeaderList, lines, request } from '../harness/message.js';
import { SeededBytes } from '../harness/seeded-data.js';
import { ok, openSession, type Session } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';

const T = { timeout: 30_000 };

describeModes('9.1 parsing and framing', {}, (s) => {
  const auth1 = (tid = 'a1234567'): Buffer => authRequest({ tid, toUri: s.domainUri, fromUri: s.aUri });
  const expect401 = (msg: Parameters<typeof assertChallenge>[0], tid = 'a1234567'): { nonce: string } =>
    assertChallenge(msg, { tid, toPath: s.aUri, fromPath: s.domainUri, realm: 'example.com' });

  /** A forwards a SEND; B must receive exactly the same headers and body, A a 200 OK. */
  async function expectRelayed(
    session: Session,
    tid: string,
    headers: HeaderList,
    body: Buffer,
  ): Promise<void> {
    const { a, b } = session;
    const fwd = await b.nextMessage();
    assertRelayRequest(fwd, { method: 'SEND', toPath: session.bUri, fromPath: session.fromA, headers, body });
    await b.write(ok(session, fwd));
    assertResponse(await a.nextMessage(), {
      tid,
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: session.usePath,
    });
  }

  const sendHeaders = (id: string, length: number, extra: HeaderList = []): HeaderList => [
    ['Message-ID', id],
    ['Byte-Range', `1-${length}/${length}`],
    ...extra,
    ['Content-Type', 'application/octet-stream'],
  ];

  it('1 AUTH challenge', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(auth1());
    const { nonce } = expect401(await a.nextMessage());
    assert.match(
      Buffer.from(nonce, 'base64').toString('utf8'),
      /:127\.0\.0\.1$/,
      'decoded nonce ends with the client IP',
    );
  });

  it('2 blank lines and garbage before a message are skipped', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(Buffer.concat([Buffer.from('\r\nHELLO WORLD\r\nfoo\r\n\r\n'), auth1()]));
    expect401(await a.nextMessage());
  });

  it('3 pipelined requests get responses in order', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(Buffer.concat([auth1('a1234567'), auth1('b7654321')]));
    expect401(await a.nextMessage(), 'a1234567');
    expect401(await a.nextMessage(), 'b7654321');
  });

  it('4 start line split byte by byte', T, async (t) => {
    const a = await s.scope(t).client();
    const bytes = auth1();
    await a.writeInPieces(
      bytes,
      Array.from({ length: bytes.length }, (_, i) => i),
      1,
    );
    expect401(await a.nextMessage(10_000));
  });

  it('5 invalid UTF-8 in the start line closes that connection only', T, async (t) => {
    const scope = s.scope(t);
    const other = await scope.client();
    const a = await scope.client();
    await a.write(Buffer.from('MSRP \xff\xfe AUTH\r\n', 'latin1'));
    await a.expectClosed();
    await other.write(auth1());
    expect401(await other.nextMessage());
    const fresh = await scope.client();
    await fresh.write(auth1());
    expect401(await fresh.nextMessage());
    assert.ok(s.relay.running, 'relay still running');
  });

  it('6 over-long header line closes the connection (Target)', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(
      authRequest({
        tid: 'a1234567',
        toUri: s.domainUri,
        fromUri: s.aUri,
        headers: [['X-Pad', 'a'.repeat(20_000)]],
      }),
    );
    await a.expectClosed();
  });

  it('7 65 header lines: close or 400 (Target)', T, async (t) => {
    const a = await s.scope(t).client();
    const extra = Array.from({ length: 63 }, (_, i): [string, string] => [`X-Extra-${i}`, 'v']);
    await a.write(authRequest({ tid: 'a1234567', toUri: s.domainUri, fromUri: s.aUri, headers: extra }));
    await a.waitUntil(() => (a.closed || a.messages.length > 0 ? true : undefined), 3000, 'a 400 or a close');
    const reply = a.messages.shift();
    t.diagnostic(reply ? 'relay answered 400' : 'relay closed the connection');
    if (reply) assertStatus(reply, 'a1234567', 400);
  });

  it('8 header with ": " inside the value is forwarded verbatim (Target)', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const headers = sendHeaders('m8', 2, [['Content-Description', 'Note: hi']]);
    await session.a.write(
      request({
        tid: 's8abcdef',
        method: 'SEND',
        toPath: session.toB,
        fromPath: s.aUri,
        headers,
        body: 'hi',
      }),
    );
    await expectRelayed(session, 's8abcdef', headers, Buffer.from('hi'));
  });

  it('9 lower-case header names are recognised (Target)', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(
      lines('MSRP a1234567 AUTH', `to-path: ${s.domainUri}`, `from-path: ${s.aUri}`, '-------a1234567$'),
    );
    expect401(await a.nextMessage());
  });

  it('10 missing From-Path gets no response', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(lines('MSRP a1234567 AUTH', `To-Path: ${s.domainUri}`, '-------a1234567$'));
    // The next answer is the 401 of a later AUTH: the first one got none.
    await a.write(authRequest({ tid: 'a7654321', toUri: s.domainUri, fromUri: s.aUri }));
    expect401(await a.nextMessage(), 'a7654321');
  });

  it('11 bad URI scheme: 400 and close (Target)', T, async (t) => {
    const a = await s.scope(t).client();
    await a.write(authRequest({ tid: 'a1234567', toUri: 'http://example.com;tcp', fromUri: s.aUri }));
    assertStatus(await a.nextMessage(), 'a1234567', 400);
    await a.expectClosed();
  });

  for (const [n, name, value] of [
    [12, 'Failure-Report', 'maybe'],
    [13, 'Expires', 'abc'],
  ] as const) {
    it(`${n} invalid ${name}: ${value} gets 400`, T, async (t) => {
      const a = await s.scope(t).client();
      await a.write(
        authRequest({ tid: 'a1234567', toUri: s.domainUri, fromUri: s.aUri, headers: [[name, value]] }),
      );
      assertResponse(await a.nextMessage(), {
        tid: 'a1234567',
        status: 400,
        comment: `Request was unintelligible, please try again (Error parsing ${name} header)`,
        toPath: s.aUri,
        fromPath: s.domainUri,
      });
    });
  }

  it('14 binary body is forwarded byte-identical', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const body = Buffer.concat([
      all,
      Buffer.from('\r\n----\0\0\0\r\n', 'latin1'),
      all,
      Buffer.from([0, 0xff, 0xfe]),
    ]);
    const headers = sendHeaders('m14', body.length);
    await session.a.write(
      request({ tid: 's14abcde', method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers, body }),
    );
    await expectRelayed(session, 's14abcde', headers, body);
  });

  it('15 body split across reads at 200 positions (incl. every end-line position)', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const body = new SeededBytes('test 15').next(3000);
    const headers = sendHeaders('m15', body.length);
    const sample = (tid: string): Buffer =>
      request({ tid, method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers, body });
    const size = sample('sp000000').length;
    const endLineStart = size - '\r\n-------sp000000$\r\n'.length;
    const cuts = new Set<number>();
    for (let k = endLineStart - 3; k < size; k++) cuts.add(k); // every position in and just before the end-line
    for (let k = 1; k < size - body.length; k += 5) cuts.add(k); // start line and headers
    const random = new SeededBytes('test 15 cuts').next(400);
    for (let i = 0; cuts.size < 200; i += 2) cuts.add(1 + (random.readUInt16BE(i) % (size - 1)));
    let n = 0;
    for (const cut of [...cuts].sort((x, y) => x - y)) {
      const tid = `sp${String(n++).padStart(6, '0')}`;
      await session.a.writeInPieces(sample(tid), [cut], 3);
      await expectRelayed(session, tid, headers, body);
    }
  });

  it('16 end-line look-alikes in the body do not end it', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const tid = 's16abcde';
    const body = Buffer.from(
      `one\r\n-------othertid1$\r\ntwo\r\n-------${tid}X\r\nthree\r\n-------${tid}$x\r\nfour\r\n-------${tid}`,
      'latin1',
    );
    const headers = sendHeaders('m16', body.length);
    await session.a.write(
      request({ tid, method: 'SEND', toPath: session.toB, fromPath: s.aUri, headers, body }),
    );
    await expectRelayed(session, tid, headers, body);
  });

  it('17 a message directly after a body in one write', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const h1 = sendHeaders('m17a', 5);
    const h2 = sendHeaders('m17b', 5);
    await session.a.write(
      Buffer.concat([
        request({
          tid: 's17aaaaa',
          method: 'SEND',
          toPath: session.toB,
          fromPath: s.aUri,
          headers: h1,
          body: 'first',
        }),
        request({
          tid: 's17bbbbb',
          method: 'SEND',
          toPath: session.toB,
          fromPath: s.aUri,
          headers: h2,
          body: 'again',
        }),
      ]),
    );
    const [f1, f2] = await session.b.nextMessages(2);
    assertRelayRequest(f1!, {
      method: 'SEND',
      toPath: session.bUri,
      fromPath: session.fromA,
      headers: h1,
      body: 'first',
    });
    assertRelayRequest(f2!, {
      method: 'SEND',
      toPath: session.bUri,
      fromPath: session.fromA,
      headers: h2,
      body: 'again',
    });
    for (const tid of ['s17aaaaa', 's17bbbbb']) {
      assertResponse(await session.a.nextMessage(), {
        tid,
        status: 200,
        comment: 'OK',
        toPath: s.aUri,
        fromPath: session.usePath,
      });
    }
  });
});
