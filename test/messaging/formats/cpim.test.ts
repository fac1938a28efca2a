/** CPIM: the spec's wire examples, python3-sipsimple's reading of odd input, and SylkServer's output. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildCpim, buildSylkCpim } from '../../../src/messaging/formats/cpim-build.js';
import { parseHeaderLine, parseNamespaceValue } from '../../../src/messaging/formats/cpim-header-line.js';
import { formatCpimIdentity, parseCpimIdentity } from '../../../src/messaging/formats/cpim-identity.js';
import { parseCpim, parseCpimText } from '../../../src/messaging/formats/cpim-parse.js';
import {
  type CpimMessage,
  cpimHeaderValue,
  IMDN_NS,
  STANDARD_NAMESPACE,
} from '../../../src/messaging/formats/cpim.js';
import { formatTimestamp } from '../../../src/messaging/formats/timestamp.js';
import { parseTimestamp } from '../../../src/messaging/formats/timestamp-parse.js';
import { SipUri } from '../../../src/sip/uri.js';

function uri(text: string): SipUri {
  const parsed = SipUri.parse(text);
  assert.ok(parsed, text);
  return parsed;
}

function parsed(text: string): CpimMessage {
  const result = parseCpimText(text);
  if (!result.ok) assert.fail(JSON.stringify(result.error));
  return result.value;
}

/** Sylk spec §2.8.1, as SylkServer writes it. */
const SPEC_BODY =
  'From: Alice <sip:alice@example.com>\r\n' +
  'To: <sip:bob@example.com>\r\n' +
  'DateTime: 2024-05-01T10:00:00.123000+00:00\r\n' +
  'NS: imdn <urn:ietf:params:imdn>\r\n' +
  'imdn.Message-ID: 6c1f\r\n' +
  'imdn.Disposition-Notification: positive-delivery, display\r\n' +
  '\r\n' +
  'MIME-Version: 1.0\n' +
  'Content-Type: text/plain; charset="utf-8"\n' +
  '\n' +
  'Hello';

test('sylk spec §2.8.1: the CPIM body SylkServer produces', () => {
  const message = parsed(SPEC_BODY);
  assert.equal(message.sender?.uri.toString(), 'sip:alice@example.com');
  assert.equal(message.sender.displayName, 'Alice');
  assert.deepEqual(
    message.recipients.map((r) => [r.uri.toString(), r.displayName]),
    [['sip:bob@example.com', undefined]],
  );
  assert.equal(message.timestamp && formatTimestamp(message.timestamp), '2024-05-01T10:00:00.123000+00:00');
  assert.deepEqual(
    message.additionalHeaders.map((h) => [h.namespace.prefix, h.namespace.uri, h.name, h.value]),
    [
      ['imdn', 'urn:ietf:params:imdn', 'Message-ID', '6c1f'],
      ['imdn', 'urn:ietf:params:imdn', 'Disposition-Notification', 'positive-delivery, display'],
    ],
  );
  assert.equal(cpimHeaderValue(message, 'Message-ID'), '6c1f');
  assert.equal(message.contentType, 'text/plain');
  assert.equal(message.charset, 'utf-8');
  assert.equal(message.content, 'Hello');
  assert.deepEqual(message.mimeHeaders, [
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset="utf-8"'],
  ]);
});

test('sylk spec §2.8.1: buildSylkCpim writes exactly that body', () => {
  const timestamp = parseTimestamp('2024-05-01T10:00:00.123000+00:00');
  assert.ok(timestamp);
  const body = buildSylkCpim({
    sender: { uri: uri('sip:alice@example.com'), displayName: 'Alice' },
    recipient: { uri: uri('sip:bob@example.com') },
    timestamp,
    messageId: '6c1f',
    disposition: ['positive-delivery', 'display'],
    contentType: 'text/plain',
    content: 'Hello',
  });
  assert.ok(body.ok);
  assert.equal(body.value.toString('utf8'), SPEC_BODY);
});

test('Appendix A: the MESSAGE body for account-message m1', () => {
  const timestamp = parseTimestamp('2024-05-01T10:06:00.000Z');
  assert.ok(timestamp);
  const body = buildSylkCpim({
    sender: { uri: uri('sip:alice@example.com'), displayName: 'Alice' },
    recipient: { uri: uri('sip:bob@example.com') },
    timestamp,
    messageId: 'm1',
    disposition: ['positive-delivery', 'display'],
    contentType: 'text/plain',
    content: 'hi',
  });
  assert.ok(body.ok);
  assert.equal(
    body.value.toString(),
    [
      'From: Alice <sip:alice@example.com>',
      'To: <sip:bob@example.com>',
      'DateTime: 2024-05-01T10:06:00+00:00',
      'NS: imdn <urn:ietf:params:imdn>',
      'imdn.Message-ID: m1',
      'imdn.Disposition-Notification: positive-delivery, display',
      '',
      'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\nhi',
    ].join('\r\n'),
  );
});

test('sylk spec §2.7 row B: an IMDN has a Message-ID and no Disposition-Notification; no display name gives <uri>', () => {
  const timestamp = parseTimestamp('2024-05-01T10:00:00+00:00');
  assert.ok(timestamp);
  const body = buildSylkCpim({
    sender: { uri: uri('sip:bob@example.com') },
    recipient: { uri: uri('sip:alice@example.com') },
    timestamp,
    messageId: 'u1',
    contentType: 'message/imdn+xml',
    content: '<imdn/>',
  });
  assert.ok(body.ok);
  assert.equal(
    body.value.toString(),
    'From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\nDateTime: 2024-05-01T10:00:00+00:00\r\n' +
      'NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: u1\r\n\r\n' +
      'MIME-Version: 1.0\nContent-Type: message/imdn+xml; charset="utf-8"\n\n<imdn/>',
  );
});

test('acceptance 21: DateTime with an offset keeps it; the MIME part may use CRLF', () => {
  const message = parsed(
    'From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\nNS: imdn <urn:ietf:params:imdn>\r\n' +
      'imdn.Message-ID: m2\r\nDateTime: 2024-05-01T12:00:00+02:00\r\n' +
      'imdn.Disposition-Notification: positive-delivery, display\r\n\r\n' +
      'Content-Type: text/plain\r\n\r\nyo',
  );
  assert.equal(message.timestamp && formatTimestamp(message.timestamp), '2024-05-01T12:00:00+02:00');
  assert.equal(cpimHeaderValue(message, 'Message-ID'), 'm2');
  assert.equal(message.content, 'yo');
  assert.equal(message.charset, undefined);
});

test('namespaces: undeclared prefixes are ignored, any prefix may name a namespace, NS without prefix does nothing', () => {
  const message = parsed(
    'foo.Message-ID: ignored\r\n' +
      'NS: im <urn:ietf:params:imdn>\r\n' +
      'im.Message-ID: abc\r\n' +
      'NS: <urn:other>\r\n' +
      'X-Plain: default namespace\r\n' +
      'NS: s <urn:ietf:params:cpim-headers:>\r\n' +
      's.Subject: via a prefix\r\n' +
      'im.a.b: dotted names are skipped\r\n' +
      'NS: im <urn:changed>\r\n' +
      'im.Message-ID: second\r\n\r\n',
  );
  assert.deepEqual(
    message.additionalHeaders.map((h) => [h.namespace.prefix, h.namespace.uri, h.name, h.value]),
    [
      ['im', 'urn:ietf:params:imdn', 'Message-ID', 'abc'],
      ['', 'urn:ietf:params:cpim-headers:', 'X-Plain', 'default namespace'],
      ['im', 'urn:changed', 'Message-ID', 'second'],
    ],
  );
  assert.equal(message.subject?.text, 'via a prefix');
  assert.equal(message.contentType, 'text/plain');
  assert.equal(message.content, '');
});

test('identities: the display-name expression; values without scheme or angle brackets are ignored', () => {
  const message = parsed(
    'From: "Alice Smith" <sip:alice@example.com>\r\n' +
      'To: <alice@example.com>\r\n' +
      'To: bob@example.com\r\n' +
      'To: Bob B. <sips:bob@example.com;transport=tls>\r\n' +
      'To: <tel:+123>\r\n' +
      'To: <sip:bad uri@x>\r\n' +
      'cc: "Quoted \\"Name\\"" <sip:carol@example.com>\r\n' +
      'cc: <SIP:upper@example.com>\r\n\r\n',
  );
  assert.equal(message.sender?.displayName, 'Alice Smith');
  assert.deepEqual(
    message.recipients.map((r) => [r.uri.toString(), r.displayName]),
    [['sips:bob@example.com;transport=tls', 'Bob B.']],
  );
  assert.deepEqual(
    message.courtesyRecipients.map((r) => [r.uri.toString(), r.displayName]),
    [['sip:carol@example.com', 'Quoted "Name"']],
  );
  // A later invalid From does not replace a valid one.
  assert.equal(parsed('From: <sip:a@x>\r\nFrom: <a@x>\r\n\r\n').sender?.uri.toString(), 'sip:a@x');
});

test('identities: the expression keeps an unbalanced quote out and an inner quote in, as sipsimple does', () => {
  assert.equal(parseCpimIdentity('"Alice <sip:a@x>')?.displayName, 'Alice');
  assert.equal(parseCpimIdentity('Al"ice <sip:a@x>')?.displayName, 'Al"ice');
  assert.equal(parseCpimIdentity('"" <sip:a@x>')?.displayName, undefined);
  assert.equal(parseCpimIdentity('<sip:a@x>')?.displayName, undefined);
  assert.equal(parseCpimIdentity(' <sip:a@x>')?.uri.toString(), 'sip:a@x');
  assert.equal(parseCpimIdentity('A <sip:a@x> '), undefined);
});

test('identities are written unquoted when safe, quoted with escapes otherwise, controls as spaces', () => {
  const alice = uri('sip:alice@example.com');
  assert.equal(formatCpimIdentity({ uri: alice, displayName: 'Alice' }), 'Alice <sip:alice@example.com>');
  assert.equal(formatCpimIdentity({ uri: alice, displayName: '' }), '<sip:alice@example.com>');
  assert.equal(formatCpimIdentity({ uri: alice, displayName: ' \r\n ' }), '<sip:alice@example.com>');
  assert.equal(formatCpimIdentity({ uri: alice, displayName: 'A\r\nB' }), 'A  B <sip:alice@example.com>');
  assert.equal(
    formatCpimIdentity({ uri: alice, displayName: 'A "<B>" \\' }),
    '"A \\"<B>\\" \\\\" <sip:alice@example.com>',
  );
  assert.equal(formatCpimIdentity({ uri: uri('SIP:alice@example.com') }), '<sip:alice@example.com>');
});

test('Subject with languages, Required, an unparseable DateTime', () => {
  const message = parsed(
    'Subject: Hello\r\nSubject:;lang=fr Bonjour\r\nSubject:;lang=de-ch Grüezi\r\nRequired: a, b ,c\r\nDateTime: yesterday\r\n\r\n',
  );
  assert.equal(message.subject?.text, 'Hello');
  assert.deepEqual(
    [...message.subject.translations],
    [
      ['fr', 'Bonjour'],
      ['de-ch', 'Grüezi'],
    ],
  );
  assert.deepEqual(message.required, ['a', 'b', 'c']);
  assert.equal(message.timestamp, undefined);
  assert.equal(parsed('Subject:;lang=en Hi\r\n\r\n').subject?.text, 'Hi');
  assert.equal(parsed('Subject:;lang=it Ciao\r\n\r\n').subject?.text, '');
});

test('header lines: a bare LF hides what precedes it; empty values are ignored; trailing blanks are kept', () => {
  const message = parsed(
    'From: <sip:a@x>\nTo: <sip:b@x>\r\nSubject:\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: m1  \r\n\r\n',
  );
  assert.equal(message.sender, undefined);
  assert.equal(message.recipients[0]?.uri.toString(), 'sip:b@x');
  assert.equal(message.subject, undefined);
  assert.equal(cpimHeaderValue(message, 'Message-ID'), 'm1  ');
});

test('text after the last colon of lines that do not match is glued to the next prefix, as findall does', () => {
  const message = parsed(
    'NS: imdn <urn:ietf:params:imdn>\r\n' +
      'junk without colon\r\nimdn.Message-ID: lost\r\n' +
      'Subject: a\nimdn.Disposition-Notification: lost too\r\n' +
      'junk\r\nTo: <sip:b@x>\r\n' +
      'imdn.Message-ID: kept\r\n\r\n',
  );
  assert.deepEqual(
    message.additionalHeaders.map((h) => [h.name, h.value]),
    [['Message-ID', 'kept']],
  );
  assert.equal(message.recipients.length, 1);
  assert.equal(message.subject, undefined);
});

test('the header line expression, written by hand', () => {
  const cases: [string, [string, string, string] | undefined][] = [
    ['imdn.Message-ID: x', ['imdn', 'Message-ID', 'x']],
    ['Message-ID:x', ['', 'Message-ID', 'x']],
    ['a.b.c: v', ['a', 'b.c', 'v']],
    ['a.:b: c', ['a', ':b', 'c']],
    [':x: y', ['', ':x', 'y']],
    ['From :  <sip:a@x> ', ['', 'From ', '<sip:a@x> ']],
    ['Subject:   ', ['', 'Subject', ' ']],
    ['.x: y', ['', '.x', 'y']],
    ['Name:', undefined],
    ['no colon', undefined],
    ['a.b:', undefined],
  ];
  for (const [line, expected] of cases) {
    const header = parseHeaderLine(line);
    assert.deepEqual(header && [header.prefix, header.name, header.value], expected, line);
  }
});

test('the NS expression, written by hand', () => {
  const cases: [string, { prefix: string | undefined; uri: string } | undefined][] = [
    ['imdn <urn:ietf:params:imdn>', { prefix: 'imdn', uri: 'urn:ietf:params:imdn' }],
    ['imdn<urn:x>', { prefix: 'imdn', uri: 'urn:x' }],
    ['<urn:x>', { prefix: undefined, uri: 'urn:x' }],
    ['a<b> <urn>', { prefix: 'a<b>', uri: 'urn' }],
    ['a<b><c>', { prefix: 'a<b>', uri: 'c' }],
    ['p <>', { prefix: 'p', uri: '' }],
    ['imdn  <urn:x>', undefined],
    ['imdn\t<urn:x>', undefined],
    ['imdn <urn:x', undefined],
    ['imdn urn:x>', undefined],
    ['>', undefined],
  ];
  for (const [value, expected] of cases) assert.deepEqual(parseNamespaceValue(value), expected, value);
});

test('errors: no separator, not UTF-8', () => {
  const noSeparator = parseCpim(Buffer.from('From: <sip:a@x>\r\nContent-Type: text/plain\n\nhello'));
  assert.equal(!noSeparator.ok && noSeparator.error.code, 'malformed-cpim');
  const latin1 = parseCpim(Buffer.from([0x46, 0x3a, 0x20, 0xe9, 0x0d, 0x0a, 0x0d, 0x0a]));
  assert.equal(!latin1.ok && latin1.error.code, 'invalid-utf8');
});

test('the MIME part: no headers, odd headers, content type default and case, payload verbatim', () => {
  assert.deepEqual(
    [parsed('\r\n\r\nHello').contentType, parsed('\r\n\r\nHello').content],
    ['text/plain', 'Hello'],
  );
  const html = parsed(
    '\r\n\r\nContent-Type: Text/HTML; Charset="ISO-8859-1"\r\nX-Other: folded\r\n  line\r\n\r\n<p>\r\n\r\n</p>\n',
  );
  assert.deepEqual(
    [html.contentType, html.charset, html.content],
    ['text/html', 'iso-8859-1', '<p>\r\n\r\n</p>\n'],
  );
  assert.deepEqual(html.mimeHeaders[1], ['X-Other', 'folded\r\n  line']);
  assert.equal(parsed('\r\n\r\nContent-Type: nonsense\n\nx').contentType, 'text/plain');
  // A line that is not a header ends the headers and starts the payload.
  assert.equal(parsed('\r\n\r\nContent-Type: image/png\nnot a header\nmore').content, 'not a header\nmore');
  assert.equal(parsed('\r\n\r\nContent-Type: image/png\rCR only').contentType, 'image/png');
  assert.equal(parsed('\r\n\r\nFrom someone\nContent-Type: text/html\n\nx').contentType, 'text/html');
});

test("Required is split at commas as sipsimple's re.split(r'\\s*,\\s*') does, blanks at the ends kept", () => {
  const blank = fc.constantFrom(' ', '\t', '\u00a0', '\u3000');
  const piece = fc.stringMatching(/^[a-z.]{0,3}$/);
  const middle = fc.array(fc.oneof(piece, blank, fc.constant(',')), { maxLength: 12 }).map((p) => p.join(''));
  fc.assert(
    fc.property(middle, (inner) => {
      // Non-blank ends: what the header line keeps of a value's own ends is not what this checks.
      const value = `a${inner}b`;
      assert.deepEqual(parsed(`Required: ${value}\r\n\r\n`).required, value.split(/\s*,\s*/));
    }),
    { numRuns: 500 },
  );
});

test('buildCpim: sipsimple header order, NS lines when a prefix changes namespace, Required, Subject', () => {
  const timestamp = parseTimestamp('2024-05-01T10:00:00+02:00');
  const body = buildCpim({
    sender: { uri: uri('sip:a@x') },
    recipients: [{ uri: uri('sip:b@x') }, { uri: uri('sip:c@x'), displayName: 'C' }],
    courtesyRecipients: [{ uri: uri('sip:d@x') }],
    subject: { text: 'Hi', translations: new Map([['fr', 'Salut']]) },
    timestamp,
    required: ['imdn.Message-ID', 'x'],
    additionalHeaders: [
      { name: 'Message-ID', namespace: IMDN_NS, value: '1' },
      { name: 'Other', namespace: { prefix: 'x', uri: 'urn:x' }, value: '2' },
      { name: 'Again', namespace: IMDN_NS, value: '3' },
      { name: 'Moved', namespace: { prefix: 'x', uri: 'urn:y' }, value: '4' },
    ],
    contentType: 'text/plain',
    content: 'body',
  });
  assert.ok(body.ok);
  assert.equal(
    body.value.toString(),
    [
      'From: <sip:a@x>',
      'To: <sip:b@x>',
      'To: C <sip:c@x>',
      'cc: <sip:d@x>',
      'Subject: Hi',
      'Subject:;lang=fr Salut',
      'DateTime: 2024-05-01T10:00:00+02:00',
      'Required: imdn.Message-ID,x',
      'NS: imdn <urn:ietf:params:imdn>',
      'imdn.Message-ID: 1',
      'NS: x <urn:x>',
      'x.Other: 2',
      'imdn.Again: 3',
      'NS: x <urn:y>',
      'x.Moved: 4',
      '',
      'MIME-Version: 1.0\nContent-Type: text/plain\n\nbody',
    ].join('\r\n'),
  );
});

test('buildCpim refuses values that would break the format', () => {
  const base = { contentType: 'text/plain', content: 'x' } as const;
  const bad = [
    buildCpim({ ...base, contentType: 'text/plain\r\nX: y' }),
    buildCpim({ ...base, contentType: 'text/plain; charset=utf-8' }),
    buildCpim({ ...base, charset: 'utf-8"' }),
    buildCpim({ ...base, subject: 'a\r\nb' }),
    buildCpim({ ...base, subject: ' leading' }),
    buildCpim({ ...base, subject: ';lang=fr looks translated' }),
    buildCpim({ ...base, required: ['a,b'] }),
    buildCpim({ ...base, additionalHeaders: [{ name: 'Message-ID', namespace: IMDN_NS, value: 'a\nb' }] }),
    buildCpim({ ...base, additionalHeaders: [{ name: 'Message-ID', namespace: IMDN_NS, value: '' }] }),
    buildCpim({ ...base, additionalHeaders: [{ name: 'a.b', namespace: IMDN_NS, value: 'v' }] }),
    buildCpim({
      ...base,
      additionalHeaders: [{ name: 'X', namespace: { prefix: '', uri: 'urn:x' }, value: 'v' }],
    }),
    buildCpim({
      ...base,
      additionalHeaders: [{ name: 'From', namespace: STANDARD_NAMESPACE, value: '<sip:a@b>' }],
    }),
    buildCpim({
      ...base,
      additionalHeaders: [{ name: 'N', namespace: { prefix: 'a b', uri: 'urn:x' }, value: 'v' }],
    }),
    buildCpim({
      ...base,
      additionalHeaders: [{ name: 'N', namespace: { prefix: 'p', uri: 'urn:x>' }, value: 'v' }],
    }),
    buildSylkCpim({
      sender: { uri: uri('sip:a@x') },
      recipient: { uri: uri('sip:b@x') },
      timestamp: {
        year: 2024,
        month: 2,
        day: 30,
        hour: 0,
        minute: 0,
        second: 0,
        microsecond: 0,
        offsetMinutes: 0,
      },
      messageId: 'm',
      contentType: 'text/plain',
      content: 'x',
    }),
    buildSylkCpim({
      sender: { uri: uri('sip:a@x') },
      recipient: { uri: uri('sip:b@x') },
      timestamp: {
        year: 2024,
        month: 2,
        day: 3,
        hour: 0,
        minute: 0,
        second: 0,
        microsecond: 0,
        offsetMinutes: 0,
      },
      messageId: 'm',
      disposition: ['display, positive-delivery'],
      contentType: 'text/plain',
      content: 'x',
    }),
  ];
  for (const [index, result] of bad.entries()) {
    assert.equal(result.ok ? 'ok' : result.error.code, 'invalid-value', `case ${index}`);
  }
});

test('binary content is carried as given', () => {
  const content = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
  const body = buildCpim({ contentType: 'image/png', content });
  assert.ok(body.ok);
  assert.deepEqual(body.value.subarray(body.value.length - content.length), content);
});
