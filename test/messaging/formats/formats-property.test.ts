/**
 * Property tests: random field values survive build → parse (CPIM, SylkServer's CPIM through the MESSAGE
 * parser, IMDN, FT-HTTP, the file-transfer JSON), and every parser answers arbitrary input with a value or
 * a typed error, never an exception.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyMessage } from '../../../src/messaging/formats/classify.js';
import * as types from '../../../src/messaging/formats/content-types.js';
import {
  buildCpim,
  buildSylkCpim,
  type CpimIdentityInit,
} from '../../../src/messaging/formats/cpim-build.js';
import { parseHeaderBlock } from '../../../src/messaging/formats/cpim-header-line.js';
import type { CpimIdentity } from '../../../src/messaging/formats/cpim-identity.js';
import { parseCpim } from '../../../src/messaging/formats/cpim-parse.js';
import type { CpimSubject } from '../../../src/messaging/formats/cpim.js';
import { parseFileTransfer, serializeFileTransfer } from '../../../src/messaging/formats/file-transfer.js';
import { buildFtHttp, parseFtHttp } from '../../../src/messaging/formats/ft-http.js';
import { buildImdn } from '../../../src/messaging/formats/imdn-build.js';
import { parseImdn } from '../../../src/messaging/formats/imdn-parse.js';
import { parseIsComposing } from '../../../src/messaging/formats/is-composing.js';
import { parseMimePart } from '../../../src/messaging/formats/mime-part.js';
import { parseMessageParts } from '../../../src/messaging/formats/parsed-message.js';
import type { FormatErrorCode, Result } from '../../../src/messaging/formats/result.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';
import { parseXml } from '../../../src/messaging/formats/xml-parse.js';
import { parseNameAddr } from '../../../src/sip/headers/name-addr.js';
import {
  contentArb,
  contentTypeArb,
  cpimInitArb,
  ftHttpFileArb,
  identityArb,
  imdnInitArb,
  timestampArb,
  xmlValueArb,
} from './arbitraries.js';

const ERROR_CODES = new Set<FormatErrorCode>([
  'missing-header',
  'empty-body',
  'invalid-utf8',
  'decompress-failed',
  'too-large',
  'malformed-cpim',
  'malformed-xml',
  'malformed-imdn',
  'malformed-ft-http',
  'malformed-file-transfer',
  'malformed-api-body',
  'invalid-value',
]);

/** A value, or an error with a known code and a printable reason. */
function checkResult(result: Result<unknown>): void {
  if (result.ok) return;
  assert.ok(ERROR_CODES.has(result.error.code), result.error.code);
  assert.equal(typeof result.error.reason, 'string');
}

/** What a display name becomes once written: controls as spaces, trimmed, none when empty. */
function writtenName(name: string | undefined): string | undefined {
  const cleaned = name?.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

function identityShape(identity: CpimIdentity | CpimIdentityInit): [string, string | undefined] {
  return [identity.uri.toString(), writtenName(identity.displayName)];
}

function subjectShape(subject: string | CpimSubject | undefined): unknown {
  if (subject === undefined) return undefined;
  return typeof subject === 'string' ? [subject, []] : [subject.text, [...subject.translations]];
}

test('CPIM: build → parse gives back every field', () => {
  fc.assert(
    fc.property(cpimInitArb, (init) => {
      const body = buildCpim(init);
      if (!body.ok) assert.fail(body.error.reason);
      const parsed = parseCpim(body.value);
      if (!parsed.ok) assert.fail(parsed.error.reason);
      const message = parsed.value;
      assert.deepEqual(
        message.sender && identityShape(message.sender),
        init.sender && identityShape(init.sender),
      );
      assert.deepEqual(message.recipients.map(identityShape), (init.recipients ?? []).map(identityShape));
      assert.deepEqual(
        message.courtesyRecipients.map(identityShape),
        (init.courtesyRecipients ?? []).map(identityShape),
      );
      assert.deepEqual(subjectShape(message.subject), subjectShape(init.subject));
      assert.deepEqual(message.timestamp, init.timestamp);
      assert.deepEqual(message.required, init.required ?? []);
      assert.deepEqual(
        message.additionalHeaders.map((h) => [h.namespace.prefix, h.namespace.uri, h.name, h.value]),
        (init.additionalHeaders ?? []).map((h) => [h.namespace.prefix, h.namespace.uri, h.name, h.value]),
      );
      assert.equal(message.contentType, init.contentType);
      assert.equal(message.charset, init.charset?.toLowerCase());
      const content = String(init.content);
      // An IMDN's MIME payload is read as a nested message (as Python's email package does).
      assert.equal(
        message.content,
        init.contentType === types.IMDN_JOURNAL + '+xml' ? parseMimePart(content).payload : content,
      );
    }),
    { numRuns: 400 },
  );
});

test('SylkServer CPIM through the MESSAGE parser: sender, id, disposition, timestamp, type, content', () => {
  const sipFrom = parseNameAddr('<sip:from@example.com>;tag=1');
  const sipTo = parseNameAddr('<sip:to@example.com>');
  assert.ok(sipFrom && sipTo);
  fc.assert(
    fc.property(
      identityArb,
      identityArb,
      timestampArb,
      xmlValueArb.filter((v) => !/[\r\n]/.test(v)),
      fc.option(
        fc.array(fc.constantFrom('positive-delivery', 'negative-delivery', 'display'), { maxLength: 3 }),
        {
          nil: undefined,
        },
      ),
      contentTypeArb.filter((t) => t !== 'message/imdn+xml' && t !== 'application/sylk-file-transfer'),
      contentArb,
      (sender, recipient, timestamp, messageId, disposition, contentType, content) => {
        const body = buildSylkCpim({
          sender,
          recipient,
          timestamp,
          messageId,
          disposition,
          contentType,
          content,
        });
        if (!body.ok) assert.fail(body.error.reason);
        const parsed = parseMessageParts(
          { contentType: 'message/cpim', body: body.value, from: sipFrom, to: sipTo },
          {
            now: timestamp,
            maxDecompressedBytes: 1024,
            fileTransferExpireDays: 1,
            newMessageId: () => 'unused',
          },
        );
        if (!parsed.ok) assert.fail(parsed.error.reason);
        const message = parsed.value;
        assert.equal(message.sender.uri, sender.uri.toString().replace(/^sips?:/, ''));
        assert.equal(message.sender.displayName, writtenName(sender.displayName) ?? null);
        assert.equal(message.messageId, messageId);
        assert.deepEqual(
          message.disposition,
          disposition !== undefined && disposition.length > 0 ? disposition : null,
        );
        assert.equal(formatTimestamp(message.timestamp), formatTimestamp(timestamp));
        assert.equal(message.contentType, contentType);
        assert.equal(message.content, content);
        assert.equal(message.isCpim, true);
      },
    ),
    { numRuns: 300 },
  );
});

test('IMDN: build → parse gives back every field', () => {
  fc.assert(
    fc.property(imdnInitArb, (init) => {
      const body = buildImdn(init);
      if (!body.ok) assert.fail(body.error.reason);
      const parsed = parseImdn(body.value);
      if (!parsed.ok) assert.fail(parsed.error.reason);
      const datetime = typeof init.datetime === 'string' ? init.datetime : formatTimestamp(init.datetime);
      assert.deepEqual(
        { ...parsed.value, timestamp: undefined },
        {
          messageId: init.messageId,
          datetime,
          timestamp: undefined,
          recipientUri: init.recipientUri,
          originalRecipientUri: init.originalRecipientUri ?? init.recipientUri,
          subject: init.subject,
          notification: init.notification,
          status: init.status,
        },
      );
      if (typeof init.datetime !== 'string') assert.deepEqual(parsed.value.timestamp, init.datetime);
    }),
    { numRuns: 400 },
  );
});

test('FT-HTTP: build → parse gives back every file', () => {
  fc.assert(
    fc.property(fc.array(ftHttpFileArb, { maxLength: 4 }), (files) => {
      const body = buildFtHttp(files);
      if (!body.ok) assert.fail(body.error.reason);
      const parsed = parseFtHttp(body.value);
      if (!parsed.ok) assert.fail(parsed.error.reason);
      assert.deepEqual(
        parsed.value.files,
        files.map((f) => ({
          type: f.type,
          fileDisposition: f.fileDisposition,
          fileSize: f.fileSize,
          fileName: f.fileName,
          contentType: f.contentType,
          url: f.url,
          until: f.until,
          brandedUrl: f.brandedUrl,
          hash: f.hash,
        })),
      );
    }),
    { numRuns: 300 },
  );
});

test('file-transfer JSON: serialise → parse gives back the message', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 20 });
  const identity = fc.record({ uri: text, display_name: text }, { noNullPrototype: true });
  fc.assert(
    fc.property(
      fc.record(
        {
          filename: text,
          filesize: fc.nat(),
          sender: identity,
          receiver: identity,
          transfer_id: text,
          timestamp: text,
          until: text,
          url: text,
          filetype: text,
          hash: text,
        },
        {
          noNullPrototype: true,
          requiredKeys: [
            'filename',
            'filesize',
            'sender',
            'receiver',
            'transfer_id',
            'timestamp',
            'until',
            'url',
            'filetype',
          ],
        },
      ),
      (message) => {
        assert.deepEqual(parseFileTransfer(serializeFileTransfer(message)), { ok: true, value: message });
      },
    ),
    { numRuns: 200 },
  );
});

/** Bytes that are likely to reach deep into the parsers: markup pieces, separators, junk. */
const noisyBytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc
    .array(
      fc.constantFrom(
        '<',
        '>',
        '/>',
        '</',
        '<?xml version="1.0"?>',
        '<!--',
        '-->',
        '<![CDATA[',
        ']]>',
        '&',
        '&amp;',
        '&#x41;',
        ';',
        '"',
        "'",
        '=',
        ':',
        '.',
        ' ',
        '\r\n',
        '\n',
        '\r\n\r\n',
        'xmlns="urn:ietf:params:xml:ns:imdn"',
        'imdn',
        'xmlns:x="u"',
        'x:',
        'NS: imdn <urn:ietf:params:imdn>',
        'imdn.Message-ID: ',
        'From: ',
        '<sip:a@b>',
        'Content-Type: ',
        'message/imdn+xml',
        'text/plain',
        '<!DOCTYPE x>',
        'é',
        '\u0000',
        '\xff',
      ),
      { maxLength: 40 },
    )
    .map((parts) => Buffer.from(parts.join(''), 'latin1')),
);

test('every parser answers arbitrary bytes with a value or a typed error', () => {
  const sipFrom = parseNameAddr('<sip:from@example.com>');
  const sipTo = parseNameAddr('<sip:to@example.com>');
  assert.ok(sipFrom && sipTo);
  const now = {
    year: 2024,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    microsecond: 0,
    offsetMinutes: 0,
  };
  const contentTypes = [
    'message/cpim',
    'text/plain',
    'application/vnd.gsma.rcs-ft-http+xml',
    'message/imdn+xml',
    types.API_CONVERSATION_READ,
    types.API_CONVERSATION_REMOVE,
    types.API_MESSAGE_REMOVE,
    types.IS_COMPOSING,
    'application/sylk-file-transfer',
  ];
  fc.assert(
    fc.property(
      noisyBytesArb,
      fc.constantFrom(...contentTypes),
      fc.boolean(),
      (bytes, contentType, deflate) => {
        checkResult(parseCpim(bytes));
        checkResult(parseImdn(bytes));
        checkResult(parseFtHttp(bytes));
        checkResult(parseXml(bytes));
        checkResult(parseIsComposing(bytes));
        const text = bytes.toString('latin1');
        checkResult(parseFileTransfer(text));
        checkResult(classifyMessage({ contentType, content: text }));
        parseMimePart(text);
        parseHeaderBlock(text);
        const message = parseMessageParts(
          {
            contentType,
            body: bytes,
            from: sipFrom,
            to: sipTo,
            contentEncoding: deflate ? 'deflate' : undefined,
          },
          { now, maxDecompressedBytes: 4096, fileTransferExpireDays: 15 },
        );
        checkResult(message);
        if (message.ok) checkResult(classifyMessage(message.value));
      },
    ),
    { numRuns: 2000 },
  );
});
