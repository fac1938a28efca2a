// Self-tests of the acceptance harness, without the relay: the framing reader, and client ↔ endpoint.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { authorization, sessionIdOf } from './auth.js';
import { getCerts } from './certs.js';
import { connectClient } from './client.js';
import { digestResponse, parseDigestParams } from './digest.js';
import { Endpoint } from './endpoint.js';
import { type Flag, FrameReader, type MessageHead } from './frame-reader.js';
import { lines, request, response } from './message.js';
import { since } from '../../support/wait.js';

interface Parsed {
  head: MessageHead;
  body: Buffer;
  flag: Flag;
}

function parseAll(pieces: Buffer[]): { messages: Parsed[]; error: string | undefined } {
  const messages: Parsed[] = [];
  let current: { head: MessageHead; body: Buffer[] } | undefined;
  let error: string | undefined;
  const reader = new FrameReader({
    head: (head) => (current = { head, body: [] }),
    body: (slice) => current?.body.push(Buffer.from(slice)),
    end: (flag) => {
      if (current) messages.push({ head: current.head, body: Buffer.concat(current.body), flag });
    },
    error: (reason) => (error = reason),
  });
  for (const p of pieces) reader.push(p);
  return { messages, error };
}

const tricky = Buffer.concat([
  Buffer.from('\r\n-------t1abcdefX\r\n-------t1abcdef$x\r\n-------other$\r\n\0\xff', 'latin1'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n-------t1abcde', 'latin1'),
]);
const stream = Buffer.concat([
  request({
    tid: 't1abcdef',
    method: 'SEND',
    toPath: 'msrp://r:1/s;tcp msrp://b:2/b;tcp',
    fromPath: 'msrp://a:3/a;tcp',
    headers: [
      ['Message-ID', 'm1'],
      ['Byte-Range', `1-${tricky.length}/${tricky.length}`],
      ['Content-Type', 'x/y'],
    ],
    body: tricky,
    flag: '+',
  }),
  response({
    tid: 't1abcdef',
    status: 200,
    comment: 'OK',
    toPath: 'msrp://a:3/a;tcp',
    fromPath: 'msrp://r:1/s;tcp',
  }),
  request({
    tid: 't2abcdef',
    method: 'SEND',
    toPath: 'x',
    fromPath: 'y',
    headers: [['Content-Type', 'a/b']],
    body: '',
  }),
]);

describe('harness: FrameReader', () => {
  it('parses a stream split at every offset', () => {
    for (let k = 0; k <= stream.length; k++) {
      const { messages, error } = parseAll([stream.subarray(0, k), stream.subarray(k)]);
      assert.equal(error, undefined);
      assert.deepEqual(
        messages.map((m) => [m.head.tid, m.head.method ?? m.head.status, m.flag, m.body.length]),
        [
          ['t1abcdef', 'SEND', '+', tricky.length],
          ['t1abcdef', 200, '$', 0],
          ['t2abcdef', 'SEND', '$', 0],
        ],
        `split at ${k}`,
      );
      assert.deepEqual(messages[0]?.body, tricky);
    }
  });

  it('parses a stream fed byte by byte', () => {
    const { messages } = parseAll([...stream].map((b) => Buffer.from([b])));
    assert.equal(messages.length, 3);
    assert.deepEqual(messages[0]?.body, tricky);
    assert.deepEqual(messages[0].head.headers[3], ['Byte-Range', `1-${tricky.length}/${tricky.length}`]);
  });

  it('reports garbage between messages and malformed headers', () => {
    assert.match(parseAll([Buffer.from('\r\nMSRP t1abcdef SEND\r\n')]).error ?? '', /start line/);
    assert.match(
      parseAll([Buffer.from('MSRP t1abcdef SEND\r\nTo-Path x\r\n')]).error ?? '',
      /malformed header/,
    );
    assert.match(parseAll([Buffer.from('MSRP t1 SEND\r\n')]).error ?? '', /transaction id/);
  });
});

describe('harness: digest', () => {
  it('parses a challenge and builds a matching Authorization', () => {
    const p = parseDigestParams('Digest realm="example.com", qop="auth", nonce="bm9uY2U=", opaque="0123"');
    assert.deepEqual(
      [...p],
      [
        ['realm', 'example.com'],
        ['qop', 'auth'],
        ['nonce', 'bm9uY2U='],
        ['opaque', '0123'],
      ],
    );
    const challenge = {
      message: undefined as never,
      realm: 'example.com',
      nonce: 'bm9uY2U=',
      opaque: '0123',
    };
    const value = authorization(challenge, 'msrp://example.com;tcp', { cnonce: 'c0ffee' });
    const expected = digestResponse({
      username: 'alice',
      realm: 'example.com',
      password: '1234',
      nonce: 'bm9uY2U=',
      nc: '00000001',
      cnonce: 'c0ffee',
      digestUri: 'msrp://example.com;tcp',
    });
    assert.equal(
      value,
      `Digest username="alice", realm="example.com", nonce="bm9uY2U=", qop=auth, nc=00000001, cnonce="c0ffee", response="${expected}", opaque="0123"`,
    );
    assert.equal(sessionIdOf('msrps://localhost:2855/abc+/=;tcp'), 'abc+/=');
  });
});

for (const tls of [false, true]) {
  describe(`harness: client ↔ endpoint over ${tls ? 'TLS' : 'TCP'}`, () => {
    const endpoints: Endpoint[] = [];
    after(async () => {
      for (const e of endpoints) await e.close();
    });
    const listen = async (
      opts: { readBytesPerSecond?: number; startDelayMs?: number } = {},
    ): Promise<Endpoint> => {
      const ep = await Endpoint.listen({ certs: tls ? await getCerts() : undefined, ...opts });
      endpoints.push(ep);
      return ep;
    };

    it('exchanges messages written in pieces, and sees a close', async () => {
      const ep = await listen();
      const a = await connectClient({ port: ep.port, tls });
      const b = await ep.nextConnection();
      await a.writeInPieces(stream, [5, 40, stream.length - 3], 2);
      const [m1, m2, m3] = await b.nextMessages(3);
      assert.deepEqual(m1?.body, tricky);
      assert.deepEqual(Buffer.concat([m1.bytes, m2!.bytes, m3!.bytes]), stream);
      await b.write(lines('MSRP t9abcdef 200 OK', 'To-Path: x', 'From-Path: y', '-------t9abcdef$'));
      assert.equal((await a.nextMessage()).status, 200);
      await a.expectNothing(50);
      b.destroy();
      await a.expectClosed();
    });

    it('throttles reads to the configured rate', async () => {
      const ep = await listen({ readBytesPerSecond: 1 << 20 });
      const a = await connectClient({ port: ep.port, tls });
      const b = await ep.nextConnection();
      const start = performance.now();
      const body = Buffer.alloc(600_000, 0x61);
      await a.write(
        request({
          tid: 'big00001',
          method: 'SEND',
          toPath: 'x',
          fromPath: 'y',
          headers: [['Content-Type', 'a/b']],
          body,
        }),
      );
      assert.equal((await b.nextMessage(5000)).body?.length, body.length);
      assert.ok(since(start) > 400, `600 kB at 1 MiB/s took only ${since(start)} ms`);
      a.destroy();
    });

    it('delays the start of an accepted connection', async () => {
      const ep = await listen({ startDelayMs: 300 });
      const start = performance.now();
      const a = await connectClient({ port: ep.port, tls });
      await a.write(lines('MSRP t8abcdef 200 OK', 'To-Path: x', 'From-Path: y', '-------t8abcdef$'));
      const b = await ep.nextConnection();
      assert.equal((await b.nextMessage()).status, 200);
      assert.ok(since(start) >= 290, `started after ${since(start)} ms`);
      a.destroy();
    });
  });
}
