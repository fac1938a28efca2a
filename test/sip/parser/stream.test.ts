/** The stream parser: framing, pipelining, splits, keepalives, errors and limits (RFC 3261 §18.3, RFC 5626). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parserConfig } from '../../../src/sip/parser/limits.js';
import { SipStreamParser } from '../../../src/sip/parser/stream.js';
import { BASIC_HEADERS, message, request } from '../helpers.js';
import { feedAll, recorder, summary } from './stream-harness.js';

/** Whole, byte by byte, and every cut into two pieces. */
function splits(all: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[all], Array.from(all, (byte) => Buffer.from([byte]))];
  for (let cut = 1; cut < all.length; cut++) ways.push([all.subarray(0, cut), all.subarray(cut)]);
  return ways;
}

const first = request(['Content-Type: text/plain'], 'one\r\n\r\ntwo');
const second = request([], '', 'OPTIONS sip:bob@example.com SIP/2.0')
  .toString()
  .replace('CSeq: 1 MESSAGE', 'CSeq: 2 OPTIONS');

describe('framing', () => {
  test('pipelined messages, however the input is split', () => {
    const stream = Buffer.concat([first, Buffer.from('\r\n'), Buffer.from(second), Buffer.from('\r\n\r\n')]);
    const expected = summary(feedAll([stream]));
    assert.equal(expected.length, 3);
    assert.deepEqual(expected[2], 'ping');
    for (const pieces of splits(stream)) assert.deepEqual(summary(feedAll(pieces)), expected);
  });

  test('a message without a body is delivered as soon as its head is complete', () => {
    const options = Buffer.from(second);
    assert.deepEqual(
      feedAll([options]).map((e) => e.type),
      ['message'],
    );
    assert.deepEqual(
      feedAll([options.subarray(0, 10), options.subarray(10)]).map((e) => e.type),
      ['message'],
    );
  });

  test('the body is exactly Content-Length bytes, binary included', () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 255, 0x53, 0x49, 0x50]);
    const bytes = Buffer.concat([
      message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, `Content-Length: ${body.length}`]),
      body,
    ]);
    const [event] = feedAll([bytes, bytes.subarray(0, 10)]);
    assert.ok(event?.type === 'message');
    assert.deepEqual(event.message.body, body);
  });

  test('a body handed out from a split message is a copy: later input does not change it', () => {
    const kept: Buffer[] = [];
    const parser = new SipStreamParser({ onMessage: (m) => kept.push(m.body), onPing() {}, onError() {} });
    parser.feed(first.subarray(0, first.length - 3));
    parser.feed(first.subarray(first.length - 3));
    parser.feed(Buffer.from('X'.repeat(first.length)));
    assert.equal(kept[0]?.toString(), 'one\r\n\r\ntwo');
  });

  test('idle and bufferedBytes follow the message in progress', () => {
    const { parser } = recorder();
    assert.ok(parser.idle);
    parser.feed(first.subarray(0, 30));
    assert.equal(parser.idle, false);
    assert.equal(parser.bufferedBytes, 30);
    parser.feed(first.subarray(30));
    assert.ok(parser.idle);
    assert.equal(parser.bufferedBytes, 0);
  });
});

describe('keepalives (RFC 5626 §3.5.1)', () => {
  test('each CRLF CRLF between messages is a ping; a lone CRLF (a pong) is not', () => {
    assert.deepEqual(summary(feedAll([Buffer.from('\r\n\r\n')])), ['ping']);
    assert.deepEqual(summary(feedAll([Buffer.from('\r\n')])), []);
    assert.deepEqual(summary(feedAll([Buffer.from('\r\n\r\n\r\n\r\n')])), ['ping', 'ping']);
    assert.deepEqual(summary(feedAll([Buffer.from('\r'), Buffer.from('\n\r'), Buffer.from('\n')])), ['ping']);
    assert.deepEqual(summary(feedAll([Buffer.from('\r\n'), Buffer.from('\r\n')])), ['ping']);
  });

  test('CRLFs before a message are skipped (RFC 3261 §7.5); one CRLF then a message is no ping', () => {
    const events = feedAll([Buffer.from('\r\n'), first]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['message'],
    );
  });
});

describe('errors', () => {
  test('with a valid Content-Length the message is skipped and parsing goes on', () => {
    const bad = Buffer.from(
      request(['Content-Type: a'], 'body!').toString().replace('CSeq: 1 MESSAGE', 'CSeq: 1 INVITE'),
    );
    for (const pieces of splits(Buffer.concat([bad, first]))) {
      const events = feedAll(pieces);
      assert.deepEqual(
        events.map((e) => e.type),
        ['error', 'message'],
      );
      const [error] = events;
      assert.ok(error?.type === 'error' && error.error.kind === 'reject' && !error.fatal);
      assert.equal(error.error.reason, 'CSeq Method Mismatch');
    }
  });

  test('Content-Length is mandatory on streams: 400 and close', () => {
    const noLength = message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS]);
    const { parser, events } = recorder();
    parser.feed(noLength);
    parser.feed(first);
    assert.deepEqual(summary(events), [['reject', 400, 'Missing Content-Length', true]]);
    assert.ok(parser.failed);
  });

  test('framing errors are fatal; a response is dropped', () => {
    assert.deepEqual(
      summary(feedAll([message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'Content-Length: -1'])])),
      [['reject', 400, 'Malformed Content-Length Header', true]],
    );
    assert.deepEqual(summary(feedAll([Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')])), [
      ['drop', 'Missing Via Header', false],
    ]);
    assert.deepEqual(summary(feedAll([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')])), [
      ['drop', 'not a SIP start line', true],
    ]);
  });
});

describe('limits', () => {
  const config = parserConfig({
    limits: { maxLineLength: 100, maxHeaders: 20, maxHeaderBytes: 600, maxBodyBytes: 50 },
  });

  test('a start line that does not end: 414 once maxLineLength is passed, without waiting for more', () => {
    const { parser, events } = recorder(config);
    parser.feed(Buffer.from(`MESSAGE sip:${'a'.repeat(80)}`));
    assert.equal(events.length, 0);
    parser.feed(Buffer.from('a'.repeat(20)));
    assert.deepEqual(summary(events), [['reject', 414, 'Request-URI Too Long', true]]);
    parser.feed(first);
    assert.equal(events.length, 1, 'input after a fatal error is ignored');
  });

  test('a too long start line is refused at once even when its CRLF came in the same read', () => {
    const { parser, events } = recorder(config);
    parser.feed(Buffer.from(`MESSAGE sip:${'a'.repeat(100)}@x SIP/2.0\r\nVia: SIP/2.0/UDP h`));
    assert.deepEqual(summary(events), [['reject', 414, 'Request-URI Too Long', true]]);
  });

  test('a head that does not end: 513 at maxHeaderBytes, with the fields read so far', () => {
    const { parser, events } = recorder(config);
    const head = Buffer.from(`MESSAGE sip:b@x SIP/2.0\r\n${BASIC_HEADERS.join('\r\n')}\r\n`);
    parser.feed(head);
    for (let i = 0; !parser.failed && i < 100; i++)
      parser.feed(Buffer.from(`X-Pad-${i}: ${'p'.repeat(40)}\r\n`));
    const [event] = events;
    assert.ok(event?.type === 'error' && event.fatal && event.error.kind === 'reject');
    assert.equal(event.error.status, 513);
    assert.equal(event.error.request.headers.get('CSeq'), '1 MESSAGE');
    assert.ok(parser.bufferedBytes === 0);
  });

  test('garbage without line ends is dropped once it passes the limit', () => {
    const { parser, events } = recorder(config);
    for (let i = 0; i < 10 && !parser.failed; i++) parser.feed(Buffer.alloc(100, 0x41));
    assert.deepEqual(summary(events), [['drop', 'start line too long', true]]);
  });

  test('a body above maxBodyBytes: 413 and close, before the body arrives', () => {
    const events = feedAll(
      [message(['MESSAGE sip:b@x SIP/2.0', ...BASIC_HEADERS, 'Content-Length: 51'])],
      config,
    );
    assert.deepEqual(summary(events), [['reject', 413, 'Request Entity Too Large', true]]);
  });

  test('what is held never exceeds the limits', () => {
    const { parser } = recorder(config);
    const body = request([], 'b'.repeat(50));
    for (const byte of body.subarray(0, body.length - 1)) {
      parser.feed(Buffer.from([byte]));
      assert.ok(parser.bufferedBytes <= 600);
    }
  });
});

describe('handlers', () => {
  test('feed() from inside a handler is queued, not re-entered', () => {
    const seen: string[] = [];
    const parser: SipStreamParser = new SipStreamParser({
      onMessage: (m) => {
        seen.push(m.kind === 'request' ? m.method : String(m.status));
        if (seen.length === 1) parser.feed(Buffer.from(second));
      },
      onPing() {},
      onError() {},
    });
    parser.feed(Buffer.concat([first, first]));
    assert.deepEqual(seen, ['MESSAGE', 'MESSAGE', 'OPTIONS']);
  });

  test('a handler that throws loses nothing: the rest of the input waits for the next feed', () => {
    let calls = 0;
    const parser = new SipStreamParser({
      onMessage: () => {
        calls++;
        if (calls === 1) throw new Error('handler failed');
      },
      onPing() {},
      onError() {},
    });
    assert.throws(() => {
      parser.feed(Buffer.concat([first, first]));
    }, /handler failed/);
    parser.feed(first);
    assert.equal(calls, 3);
  });

  test('also when onError throws for a message that is skipped', () => {
    const bad = Buffer.from(request([], 'xyz').toString().replace('CSeq: 1 MESSAGE', 'CSeq: 1 INVITE'));
    let messages = 0;
    const parser = new SipStreamParser({
      onMessage: () => {
        messages++;
      },
      onPing() {},
      onError: () => {
        throw new Error('handler failed');
      },
    });
    assert.throws(() => {
      parser.feed(Buffer.concat([bad, first]));
    }, /handler failed/);
    parser.feed(Buffer.from('\r\n'));
    assert.equal(messages, 1);
  });
});
