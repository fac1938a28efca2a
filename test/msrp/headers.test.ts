/**
 * Typed MSRP header decoders (relay spec §1.4.1, RFC 4975 §9), and the header serialization of wire.ts that
 * the relay uses for what it writes (relay spec §1.5).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatByteRange,
  parseByteRange,
  parseFailureReport,
  parseSeconds,
  parseStatus,
  parseSuccessReport,
} from '../../src/msrp/headers.js';
import { HeaderList, type MsrpHead } from '../../src/msrp/message.js';
import {
  bodilessMessage,
  closing,
  endLine,
  forwardedHead,
  passThroughHeaders,
  response,
} from '../../src/msrp/wire.js';

describe('Byte-Range', () => {
  test('start-end/total, with * for an unknown end or total', () => {
    assert.deepEqual(parseByteRange('1-5/5'), { start: 1, end: 5, total: 5 });
    assert.deepEqual(parseByteRange('1-*/104857600'), { start: 1, end: undefined, total: 104857600 });
    assert.deepEqual(parseByteRange('11-20/*'), { start: 11, end: 20, total: undefined });
    assert.deepEqual(parseByteRange('1-*/*'), { start: 1, end: undefined, total: undefined });
    assert.deepEqual(parseByteRange('1-0/0'), { start: 1, end: 0, total: 0 }, 'msrplib’s empty bind SEND');
    assert.deepEqual(parseByteRange(' 1-5/5 '), { start: 1, end: 5, total: 5 });
  });

  test('malformed values are undefined', () => {
    for (const value of [
      '',
      '1-5',
      '1/5',
      '*-5/5',
      '-1-5/5',
      '1-5/5/5',
      'a-b/c',
      '1 - 5/5',
      '1-5/5x',
      '1234567890123456-1/1',
      '1.5-2/3',
    ]) {
      assert.equal(parseByteRange(value), undefined, JSON.stringify(value));
    }
  });

  test('formatByteRange is the inverse of parseByteRange', () => {
    for (const text of [
      '1-5/5',
      '1-*/100',
      '11-20/*',
      '1-*/*',
      '1-0/0',
      '999999999999999-999999999999999/999999999999999',
    ]) {
      const parsed = parseByteRange(text);
      assert.ok(parsed !== undefined);
      assert.equal(formatByteRange(parsed), text);
    }
  });
});

describe('Success-Report and Failure-Report', () => {
  test('Failure-Report is yes, no or partial', () => {
    assert.equal(parseFailureReport('yes'), 'yes');
    assert.equal(parseFailureReport('no'), 'no');
    assert.equal(parseFailureReport('partial'), 'partial');
    assert.equal(parseFailureReport(' partial '), 'partial');
    for (const value of ['maybe', '', 'yesno', 'y', 'partial;x'])
      assert.equal(parseFailureReport(value), undefined, value);
  });

  test('Success-Report is yes or no', () => {
    assert.equal(parseSuccessReport('yes'), true);
    assert.equal(parseSuccessReport('no'), false);
    assert.equal(parseSuccessReport(' no '), false);
    for (const value of ['partial', '', 'true', '1'])
      assert.equal(parseSuccessReport(value), undefined, value);
  });
});

describe('Expires, Min-Expires, Max-Expires', () => {
  test('non-negative integers of seconds', () => {
    assert.equal(parseSeconds('600'), 600);
    assert.equal(parseSeconds(' 60 '), 60);
    assert.equal(parseSeconds('0'), 0);
    assert.equal(parseSeconds('4294967295'), 4294967295);
  });

  test('anything else is undefined (the relay answers 400 Error parsing Expires header)', () => {
    for (const value of ['abc', '', '-1', '+1', '1.5', '1e3', '0x10', '12345678901', '6 0']) {
      assert.equal(parseSeconds(value), undefined, JSON.stringify(value));
    }
  });
});

describe('Status', () => {
  test('000 code [comment]', () => {
    assert.deepEqual(parseStatus('000 200 OK'), { code: 200, comment: 'OK' });
    assert.deepEqual(parseStatus('000 408'), { code: 408, comment: undefined });
    assert.deepEqual(parseStatus('000 481 No such session'), { code: 481, comment: 'No such session' });
    assert.deepEqual(parseStatus('000 408 Session got disconnected'), {
      code: 408,
      comment: 'Session got disconnected',
    });
  });

  test('malformed values are undefined', () => {
    for (const value of ['200', '000 20', '000 2000', '00 200', '000-200', '', 'abc 200 OK']) {
      assert.equal(parseStatus(value), undefined, JSON.stringify(value));
    }
  });
});

function head(entries: readonly [string, string][], hasBody = false): MsrpHead {
  const headers = new HeaderList();
  for (const [name, value] of entries) headers.add(name, value);
  return {
    tid: 't1abcdef',
    method: 'SEND',
    status: undefined,
    comment: undefined,
    headers,
    hasBody,
    malformedLines: 0,
  };
}

describe('HeaderList', () => {
  test('case-insensitive look-up, last occurrence wins, entries in received order', () => {
    const list = new HeaderList();
    list.add('Message-ID', 'a');
    list.add('message-id', 'b');
    list.add('X', '');
    assert.equal(list.get('MESSAGE-ID'), 'b');
    assert.equal(list.get('x'), '');
    assert.equal(list.has('x'), true, 'an empty value is present');
    assert.equal(list.has('Message'), false);
    assert.deepEqual(list.entries, [
      { name: 'Message-ID', value: 'a' },
      { name: 'message-id', value: 'b' },
      { name: 'X', value: '' },
    ]);
  });
});

describe('wire: what the relay writes', () => {
  test('responses: start line, To-Path, From-Path, extra headers in order, end-line with the request tid', () => {
    const bytes = response(
      { tid: 'a1234567' },
      401,
      'Unauthenticated',
      'msrp://a:1/x;tcp',
      'msrp://example.com;tcp',
      [{ name: 'WWW-Authenticate', value: 'Digest realm="example.com"' }],
    );
    assert.equal(
      bytes.toString('utf8'),
      'MSRP a1234567 401 Unauthenticated\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://example.com;tcp\r\n' +
        'WWW-Authenticate: Digest realm="example.com"\r\n-------a1234567$\r\n',
    );
  });

  test('a body-less message and end-lines', () => {
    assert.equal(endLine('abc1', '#'), '-------abc1#\r\n');
    assert.equal(
      bodilessMessage(
        'MSRP r1 REPORT',
        'msrp://a;tcp',
        'msrp://b;tcp',
        [{ name: 'Status', value: '000 408' }],
        'r1',
      ).toString(),
      'MSRP r1 REPORT\r\nTo-Path: msrp://a;tcp\r\nFrom-Path: msrp://b;tcp\r\nStatus: 000 408\r\n-------r1$\r\n',
    );
    assert.equal(closing('abc1', '+', true), '\r\n-------abc1+\r\n');
    assert.equal(closing('abc1', '$', false), '-------abc1$\r\n');
  });

  test('pass-through headers: non-Content headers as received, other Content-* next, Content-Type last', () => {
    const h = head([
      ['Content-Type', 'text/plain'],
      ['To-Path', 'msrp://r;tcp'],
      ['Message-ID', 'm1'],
      ['Content-Description', 'Note: hi'],
      ['from-path', 'msrp://a;tcp'],
      ['Byte-Range', '1-5/5'],
      ['content-disposition', 'inline'],
      ['X-Ext', 'v'],
      ['Content', 'not a Content-* header'],
    ]);
    assert.deepEqual(passThroughHeaders(h), [
      { name: 'Message-ID', value: 'm1' },
      { name: 'Byte-Range', value: '1-5/5' },
      { name: 'X-Ext', value: 'v' },
      { name: 'Content', value: 'not a Content-* header' },
      { name: 'Content-Description', value: 'Note: hi' },
      { name: 'content-disposition', value: 'inline' },
      { name: 'Content-Type', value: 'text/plain' },
    ]);
  });

  test('a forwarded head has the empty line only when a body follows', () => {
    const headers = [{ name: 'Message-ID', value: 'm1' }];
    assert.equal(
      forwardedHead('MSRP t SEND', 'msrp://b;tcp', 'msrp://r;tcp msrp://a;tcp', headers, false),
      'MSRP t SEND\r\nTo-Path: msrp://b;tcp\r\nFrom-Path: msrp://r;tcp msrp://a;tcp\r\nMessage-ID: m1\r\n',
    );
    assert.equal(
      forwardedHead('MSRP t SEND', 'msrp://b;tcp', 'msrp://a;tcp', headers, true),
      'MSRP t SEND\r\nTo-Path: msrp://b;tcp\r\nFrom-Path: msrp://a;tcp\r\nMessage-ID: m1\r\n\r\n',
    );
  });
});
