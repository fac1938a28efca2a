// Relay spec §9.4, tests 54–58: interleaving while streaming, abort flag, teardown mid-chunk, non-SEND body
// limit.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertRelayReport, assertRelayRequest, assertResponse } from '../harness/expect.js';
import { type HeaderList, type MsrpMessage, request, requestHead, show } from '../harness/message.js';
import { type Session, openSession } from '../harness/session.js';
import { describeModes } from '../harness/suite.js';

const T = { timeout: 30_000 };
const A10 = 'AAAAAAAAAA';
const B10 = 'BBBBBBBBBB';
const chunk20 = (range: string): HeaderList => [
  ['Message-ID', 'ma'],
  ['Byte-Range', range],
  ['Content-Type', 'text/plain'],
];

/** A starts a 20-byte chunk and stops after 10 body bytes; resolves once B has seen those bytes. */
async function startHalfChunk(session: Session, tid: string): Promise<void> {
  const head = requestHead({
    tid,
    method: 'SEND',
    toPath: session.toB,
    fromPath: session.aUri,
    headers: chunk20('1-20/20'),
    body: '',
  });
  await session.a.write(Buffer.concat([head, Buffer.from(A10)]));
  await session.b.waitForRawTail(A10);
}

describeModes('9.4 interleaving and teardown', {}, (s) => {
  it('54 a response for B interleaves a half-sent chunk (split with +, then 11-20/20)', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const { a, b, bUri, usePath } = session;
    await startHalfChunk(session, 's5400000');
    const fromB: HeaderList = [
      ['Message-ID', 'mb'],
      ['Byte-Range', '1-5/5'],
      ['Content-Type', 'text/plain'],
    ];
    await b.write(
      request({
        tid: 'fromb001',
        method: 'SEND',
        toPath: `${usePath} ${s.aUri}`,
        fromPath: bUri,
        headers: fromB,
        body: 'hello',
      }),
    );
    const okForB = (msg: MsrpMessage | undefined): void => {
      assertResponse(msg!, { tid: 'fromb001', status: 200, comment: 'OK', toPath: bUri, fromPath: usePath });
    };
    // Compat: the 200 for B's SEND comes at once, splitting A's chunk. Target may hold it until the chunk ends.
    const split = await b
      .waitUntil(() => (b.messages.length >= 2 ? true : undefined), 1000, 'split')
      .catch(() => false);
    await a.write(`${B10}\r\n-------s5400000$\r\n`);
    t.diagnostic(split ? 'compat: chunk split at once' : 'target: 200 held until the chunk ended');
    if (split) {
      const [first, response] = b.messages.splice(0, 2);
      assertRelayRequest(first!, {
        method: 'SEND',
        toPath: bUri,
        fromPath: session.fromA,
        headers: chunk20('1-20/20'),
        body: A10,
        flag: '+',
      });
      okForB(response);
      const rest = await b.nextMessage();
      assertRelayRequest(rest, {
        method: 'SEND',
        toPath: bUri,
        fromPath: session.fromA,
        headers: chunk20('11-20/20'),
        body: B10,
      });
      assert.notEqual(rest.tid, first!.tid, 'the remainder is a new chunk with a new tid');
    } else {
      const [whole, response] = await b.nextMessages(2);
      assertRelayRequest(whole!, {
        method: 'SEND',
        toPath: bUri,
        fromPath: session.fromA,
        headers: chunk20('1-20/20'),
        body: A10 + B10,
      });
      okForB(response);
    }
    // A gets B's SEND and the 200 for its own chunk.
    const atA = await a.nextMessages(2);
    const forwarded = atA.find((m) => m.method === 'SEND');
    assert.ok(forwarded, `B's SEND not forwarded to A: ${atA.map(show).join('\n')}`);
    assertRelayRequest(forwarded, {
      method: 'SEND',
      toPath: s.aUri,
      fromPath: `${usePath} ${bUri}`,
      headers: fromB,
      body: 'hello',
    });
    assertResponse(atA.find((m) => m.status !== undefined)!, {
      tid: 's5400000',
      status: 200,
      comment: 'OK',
      toPath: s.aUri,
      fromPath: usePath,
    });
  });

  it('55 abort flag # is forwarded', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const headers: HeaderList = [
      ['Message-ID', 'm55'],
      ['Byte-Range', '1-5/10'],
      ['Content-Type', 'text/plain'],
    ];
    await session.a.write(
      request({
        tid: 's5500000',
        method: 'SEND',
        toPath: session.toB,
        fromPath: s.aUri,
        headers,
        body: 'abcde',
        flag: '#',
      }),
    );
    assertRelayRequest(await session.b.nextMessage(), {
      method: 'SEND',
      toPath: session.bUri,
      fromPath: session.fromA,
      headers,
      body: 'abcde',
      flag: '#',
    });
  });

  it('56 A disconnects mid-chunk: B gets the chunk ended with # (Target), then close', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    await startHalfChunk(session, 's5600000');
    session.a.destroy();
    const fwd = await session.b.nextMessage();
    assertRelayRequest(fwd, {
      method: 'SEND',
      toPath: session.bUri,
      fromPath: session.fromA,
      headers: chunk20('1-20/20'),
      body: A10,
      flag: '#',
    });
    await session.b.expectClosed();
  });

  it('57 B disconnects mid-chunk: A gets REPORT 408 Session got disconnected, then EOF', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    await startHalfChunk(session, 's5700000');
    session.b.destroy();
    assertRelayReport(await session.a.nextMessage(), {
      toPath: s.aUri,
      fromPath: session.usePath,
      status: '000 408 Session got disconnected',
      messageId: 'ma',
      byteRange: '1-10/20',
    });
    await session.a.expectClosed();
  });

  it('58 non-SEND body limit: 10000 and 10240 bytes forwarded, 10241 closes A and B', T, async (t) => {
    const session = await openSession(s, s.scope(t));
    const nickname = (tid: string, size: number): Buffer =>
      request({
        tid,
        method: 'NICKNAME',
        toPath: session.toB,
        fromPath: s.aUri,
        headers: nickHeaders,
        body: 'x'.repeat(size),
      });
    const nickHeaders: HeaderList = [
      ['Use-Nickname', '"al"'],
      ['Content-Type', 'text/plain'],
    ];
    for (const [tid, size] of [
      ['nick1000', 10_000],
      ['nick1024', 10_240],
    ] as const) {
      await session.a.write(nickname(tid, size));
      const fwd = await session.b.nextMessage();
      assertRelayRequest(fwd, {
        method: 'NICKNAME',
        toPath: session.bUri,
        fromPath: session.fromA,
        headers: nickHeaders,
        body: 'x'.repeat(size),
      });
    }
    await session.a.write(nickname('nick1025', 10_241));
    await session.a.expectClosed();
    await session.b.expectClosed();
  });
});
