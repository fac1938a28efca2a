/** The parsed MESSAGE of sylk spec §2.2: CPIM, plain bodies, deflate, FT-HTTP conversion, identities, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, deflateSync } from 'node:zlib';
import {
  type MessageParseOptions,
  type ParsedMessage,
  parseMessageRequest,
} from '../../../src/messaging/formats/parsed-message.js';
import type { FormatErrorCode, Result } from '../../../src/messaging/formats/result.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import { SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';

const NOW = parseTimestamp('2024-06-01T08:00:00.250000+02:00');
assert.ok(NOW);
const OPTIONS: MessageParseOptions = {
  now: NOW,
  maxDecompressedBytes: 1024 * 1024,
  fileTransferExpireDays: 15,
  newMessageId: () => 'generated-id',
};

function request(headers: readonly [string, string][], body: string | Buffer): SipRequest {
  const uri = parseUri('sip:bob@example.com');
  assert.ok(uri);
  return new SipRequest({
    method: 'MESSAGE',
    uri,
    headers: SipHeaders.of([
      ['From', '"Alice SIP" <sip:alice@example.com>;tag=1'],
      ['To', '<sip:bob@example.com>'],
      ...headers,
    ]),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  });
}

function parse(headers: readonly [string, string][], body: string | Buffer): ParsedMessage {
  const result = parseMessageRequest(request(headers, body), OPTIONS);
  if (!result.ok) assert.fail(JSON.stringify(result.error));
  return result.value;
}

function errorOf(result: Result<unknown>): FormatErrorCode | 'ok' {
  return result.ok ? 'ok' : result.error.code;
}

const CPIM = [['Content-Type', 'message/cpim']] as [string, string][];

const SPEC_BODY =
  'From: Alice <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n' +
  'DateTime: 2024-05-01T10:00:00.123000+00:00\r\nNS: imdn <urn:ietf:params:imdn>\r\n' +
  'imdn.Message-ID: 6c1f\r\nimdn.Disposition-Notification: positive-delivery, display\r\n\r\n' +
  'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\nHello';

test('CPIM (sylk spec §2.8.1): inner type and content, CPIM sender, disposition list, Message-ID, DateTime with its offset', () => {
  const message = parse(CPIM, SPEC_BODY);
  assert.equal(message.contentType, 'text/plain');
  assert.equal(message.content, 'Hello');
  assert.deepEqual(message.sender, { uri: 'alice@example.com', displayName: 'Alice' });
  assert.deepEqual(message.sipSender, { uri: 'alice@example.com', displayName: 'Alice SIP' });
  assert.deepEqual(message.recipient, { uri: 'bob@example.com', displayName: null });
  assert.deepEqual(message.disposition, ['positive-delivery', 'display']);
  assert.equal(message.messageId, '6c1f');
  assert.equal(formatTimestamp(message.timestamp), '2024-05-01T10:00:00.123000+00:00');
  assert.equal(message.isCpim, true);
  assert.equal(message.fromAccount, 'alice@example.com');
  assert.equal(message.toAccount, 'bob@example.com');
});

test('acceptance 21/23: CPIM without From, Message-ID or DateTime falls back to SIP From, a new id and now', () => {
  const message = parse(CPIM, 'To: <sip:bob@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nyo');
  assert.deepEqual(message.sender, { uri: 'alice@example.com', displayName: 'Alice SIP' });
  assert.equal(message.messageId, 'generated-id');
  assert.equal(message.timestamp, NOW);
  assert.equal(message.disposition, null);
  // sylk spec §2.7 rows E-G write identities without scheme: ignored, the SIP From is used.
  const noScheme = parse(CPIM, 'From: <bob@example.com>\r\n\r\nContent-Type: text/plain\n\nx');
  assert.equal(noScheme.sender.uri, 'alice@example.com');
});

test('a Message-ID and Disposition-Notification in any namespace count; empty disposition items are dropped', () => {
  const message = parse(
    CPIM,
    'NS: x <urn:other>\r\nx.Message-ID: other-ns\r\nx.Disposition-Notification: positive-delivery, , display \r\n\r\nz',
  );
  assert.equal(message.messageId, 'other-ns');
  assert.deepEqual(message.disposition, ['positive-delivery', 'display']);
});

test('non-CPIM: content as UTF-8, parameters dropped from the type, new id, now, no disposition', () => {
  const message = parse([['Content-Type', 'Text/Plain; charset=UTF-8']], 'héllo');
  assert.equal(message.contentType, 'text/plain');
  assert.equal(message.content, 'héllo');
  assert.equal(message.messageId, 'generated-id');
  assert.equal(message.timestamp, NOW);
  assert.equal(message.disposition, null);
  assert.equal(message.isCpim, false);
  assert.equal(message.cpim, undefined);
  const random = parseMessageRequest(request([['Content-Type', 'text/plain']], 'x'), {
    ...OPTIONS,
    newMessageId: undefined,
  });
  assert.match(
    random.ok ? random.value.messageId : '',
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});

test('acceptance 28: Content-Encoding deflate is inflated (zlib, or raw deflate) and decoded as UTF-8', () => {
  const zlib = deflateSync(Buffer.from('héllo', 'utf8'));
  assert.equal(
    parse(
      [
        ['Content-Type', 'text/plain'],
        ['Content-Encoding', 'deflate'],
      ],
      zlib,
    ).content,
    'héllo',
  );
  const raw = deflateRawSync(Buffer.from('héllo wörld', 'utf8'));
  assert.equal(
    parse(
      [
        ['Content-Type', 'text/plain'],
        ['e', ' Deflate '],
      ],
      raw,
    ).content,
    'héllo wörld',
  );
  const cpim = deflateSync(Buffer.from(`${SPEC_BODY} é`, 'utf8'));
  assert.equal(parse([...CPIM, ['Content-Encoding', 'deflate']], cpim).content, 'Hello é');
});

test('bodies that are neither UTF-8 nor deflate, and deflate that is not UTF-8 inside, are refused', () => {
  const latin1 = Buffer.from('h\xe9llo', 'latin1');
  assert.equal(
    errorOf(parseMessageRequest(request([['Content-Type', 'text/plain']], latin1), OPTIONS)),
    'invalid-utf8',
  );
  assert.equal(
    errorOf(
      parseMessageRequest(
        request(
          [
            ['Content-Type', 'text/plain'],
            ['Content-Encoding', 'deflate'],
          ],
          latin1,
        ),
        OPTIONS,
      ),
    ),
    'decompress-failed',
  );
  assert.equal(
    errorOf(
      parseMessageRequest(
        request(
          [
            ['Content-Type', 'text/plain'],
            ['Content-Encoding', 'gzip'],
          ],
          latin1,
        ),
        OPTIONS,
      ),
    ),
    'invalid-utf8',
  );
  const deflatedLatin1 = deflateSync(latin1);
  assert.equal(
    errorOf(
      parseMessageRequest(
        request(
          [
            ['Content-Type', 'text/plain'],
            ['Content-Encoding', 'deflate'],
          ],
          deflatedLatin1,
        ),
        OPTIONS,
      ),
    ),
    'invalid-utf8',
  );
  assert.equal(errorOf(parseMessageRequest(request(CPIM, latin1), OPTIONS)), 'invalid-utf8');
});

test('a zip bomb stops at the limit, quickly', () => {
  const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024, 0x61), { level: 9 });
  assert.ok(bomb.length < 100_000);
  const started = performance.now();
  const result = parseMessageRequest(
    request(
      [
        ['Content-Type', 'text/plain'],
        ['Content-Encoding', 'deflate'],
      ],
      bomb,
    ),
    OPTIONS,
  );
  assert.equal(errorOf(result), 'too-large');
  assert.ok(performance.now() - started < 2000);
  const exact = deflateSync(Buffer.alloc(100, 0x61));
  const atLimit = parseMessageRequest(
    request(
      [
        ['Content-Type', 'text/plain'],
        ['Content-Encoding', 'deflate'],
      ],
      exact,
    ),
    {
      ...OPTIONS,
      maxDecompressedBytes: 100,
    },
  );
  assert.equal(errorOf(atLimit), 'ok');
  const overLimit = parseMessageRequest(
    request(
      [
        ['Content-Type', 'text/plain'],
        ['Content-Encoding', 'deflate'],
      ],
      exact,
    ),
    {
      ...OPTIONS,
      maxDecompressedBytes: 99,
    },
  );
  assert.equal(errorOf(overLimit), 'too-large');
});

test('sylk spec §2.1 400 cases: empty body, missing Content-Type/From/To, CPIM without blank line', () => {
  assert.equal(
    errorOf(parseMessageRequest(request([['Content-Type', 'text/plain']], ''), OPTIONS)),
    'empty-body',
  );
  assert.equal(errorOf(parseMessageRequest(request([], 'x'), OPTIONS)), 'missing-header');
  assert.equal(
    errorOf(parseMessageRequest(request([['Content-Type', 'text']], 'x'), OPTIONS)),
    'missing-header',
  );
  assert.equal(
    errorOf(parseMessageRequest(request(CPIM, 'From: <sip:a@x>\r\nno blank line'), OPTIONS)),
    'malformed-cpim',
  );
  const uri = parseUri('sip:bob@example.com');
  assert.ok(uri);
  const noFrom = new SipRequest({
    method: 'MESSAGE',
    uri,
    headers: SipHeaders.of([
      ['To', '<sip:bob@example.com>'],
      ['Content-Type', 'text/plain'],
    ]),
    body: Buffer.from('x'),
  });
  assert.equal(errorOf(parseMessageRequest(noFrom, OPTIONS)), 'missing-header');
  const telFrom = new SipRequest({
    method: 'MESSAGE',
    uri,
    headers: SipHeaders.of([
      ['From', '<tel:+123>'],
      ['To', '<sip:bob@example.com>'],
      ['Content-Type', 'text/plain'],
    ]),
    body: Buffer.from('x'),
  });
  assert.equal(errorOf(parseMessageRequest(telFrom, OPTIONS)), 'missing-header');
});

test('AORs keep URI parameters (reference quirk); accounts are user@host', () => {
  const uri = parseUri('sip:bob@example.com');
  assert.ok(uri);
  const message = parseMessageRequest(
    new SipRequest({
      method: 'MESSAGE',
      uri,
      headers: SipHeaders.of([
        ['From', '<sips:alice@Example.COM;transport=tls>;tag=x'],
        ['To', 'Bob <sip:bob@[2001:db8::1]:5070>'],
        ['Content-Type', 'text/plain'],
      ]),
      body: Buffer.from('x'),
    }),
    OPTIONS,
  );
  assert.ok(message.ok);
  assert.deepEqual(message.value.sender, { uri: 'alice@Example.COM;transport=tls', displayName: null });
  assert.deepEqual(message.value.recipient, { uri: 'bob@[2001:db8::1]:5070', displayName: 'Bob' });
  assert.equal(message.value.fromAccount, 'alice@Example.COM');
  assert.equal(message.value.toAccount, 'bob@[2001:db8::1]');
});

const FT_HTTP =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp" xmlns:x="urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext">\n' +
  '  <file-info type="thumbnail"><file-size>10</file-size><content-type>image/jpeg</content-type>' +
  '<data url="https://host/thumb.jpg" until="2024-05-16T10:00:00+02:00"/></file-info>\n' +
  '  <file-info type="file">\n' +
  '    <file-size>1234</file-size><file-name>a.png</file-name><content-type>image/png</content-type>\n' +
  '    <data url="https://host:10888/webrtcgateway/filetransfer/x/y/t1/a.png" until="2024-05-16T10:00:00+02:00"/>\n' +
  '    <x:file-hash>sha-1:AB:CD</x:file-hash>\n' +
  '  </file-info>\n' +
  '</file>';

function cpimWith(contentType: string, content: string, messageId = 't1'): string {
  return (
    'From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n' +
    `imdn.Message-ID: ${messageId}\r\n\r\nContent-Type: ${contentType}\n\n${content}`
  );
}

test('RCS FT-HTTP becomes an application/sylk-file-transfer message (sylk spec §2.2, §4.3.3)', () => {
  const message = parse(CPIM, cpimWith('application/vnd.gsma.rcs-ft-http+xml', FT_HTTP));
  assert.equal(message.contentType, 'application/sylk-file-transfer');
  assert.equal(
    message.content,
    JSON.stringify({
      filename: 'a.png',
      filesize: 1234,
      sender: { uri: 'alice@example.com', display_name: '' },
      receiver: { uri: 'bob@example.com', display_name: '' },
      transfer_id: 't1',
      timestamp: '2024-06-01T08:00:00.250000+02:00',
      until: '2024-06-16T08:00:00.250000+02:00',
      url: 'https://host:10888/webrtcgateway/filetransfer/x/y/t1/a.png',
      filetype: 'image/png',
    }),
  );
  // Plain (not CPIM) FT-HTTP too; only thumbnails: left as it is.
  assert.equal(
    parse([['Content-Type', 'application/vnd.gsma.rcs-ft-http+xml']], FT_HTTP).contentType,
    'application/sylk-file-transfer',
  );
  const thumbnailOnly = FT_HTTP.replace('type="file"', 'type="thumbnail"');
  const kept = parse(CPIM, cpimWith('application/vnd.gsma.rcs-ft-http+xml', thumbnailOnly));
  assert.equal(kept.contentType, 'application/vnd.gsma.rcs-ft-http+xml');
  assert.equal(kept.content, thumbnailOnly);
});

test('malformed FT-HTTP is a typed error', () => {
  for (const broken of [
    '<file',
    '<other xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp"/>',
    FT_HTTP.replace('<file-name>a.png</file-name>', ''),
    FT_HTTP.replace('<file-size>1234</file-size>', '<file-size>-1</file-size>'),
    FT_HTTP.replace('type="file"', 'type="folder"'),
  ]) {
    const result = parseMessageRequest(
      request(CPIM, cpimWith('application/vnd.gsma.rcs-ft-http+xml', broken)),
      OPTIONS,
    );
    assert.equal(errorOf(result), 'malformed-ft-http', broken);
  }
});

test('a CPIM-wrapped IMDN: the XML is the content (Python reads message/* as a nested message)', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"/>';
  assert.equal(parse(CPIM, cpimWith('message/imdn+xml', xml)).content, xml);
  assert.equal(parse(CPIM, cpimWith('message/imdn+xml', `\n${xml}`)).content, xml);
});
