/** fast-check generators for the message-format tests: timestamps, identities, CPIM, IMDN, FT-HTTP. */
import fc from 'fast-check';
import type { CpimIdentityInit, CpimInit } from '../../../src/messaging/formats/cpim-build.js';
import type { CpimHeader } from '../../../src/messaging/formats/cpim.js';
import type { FtHttpFileInit } from '../../../src/messaging/formats/ft-http.js';
import type { ImdnInit } from '../../../src/messaging/formats/imdn-build.js';
import { IMDN_STATUSES, type ImdnNotification } from '../../../src/messaging/formats/imdn.js';
import { daysInMonth, type Timestamp } from '../../../src/messaging/formats/timestamp.js';
import { SipUri } from '../../../src/sip/uri.js';

export const timestampArb: fc.Arbitrary<Timestamp> = fc
  .record({
    year: fc.integer({ min: 1, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    microsecond: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1000),
      fc.integer({ min: 0, max: 999_999 }),
    ),
    offsetMinutes: fc.option(fc.integer({ min: -1439, max: 1439 }), { nil: null }),
  })
  .map((t) => ({ ...t, day: Math.min(t.day, daysInMonth(t.year, t.month)) }));

const lowerArb = fc.stringMatching(/^[a-z0-9]{1,10}$/);
const userArb = fc.stringMatching(/^[a-zA-Z0-9._~+-]{1,12}$/);
const hostArb = fc.oneof(fc.domain(), fc.ipV4());

export const sipUriArb: fc.Arbitrary<SipUri> = fc
  .tuple(
    fc.constantFrom('sip', 'sips'),
    fc.option(userArb, { nil: undefined }),
    hostArb,
    fc.array(lowerArb, { maxLength: 2 }),
  )
  .map(([scheme, user, host, params]) => {
    const text = `${scheme}:${user === undefined ? '' : `${user}@`}${host}${params.map((p) => `;${p}`).join('')}`;
    const uri = SipUri.parse(text);
    if (uri === undefined) throw new Error(`generator made an invalid URI ${text}`);
    return uri;
  });

/** Any text a person may put in a name: quotes, brackets, backslashes, controls, non-ASCII. */
const NAME_CHARS = [
  ...Array.from('abc XYZ019 "<>\\,;:@.\''),
  '\t',
  '\r',
  '\n',
  '\x00',
  'é',
  '大',
  '😀',
  '\u00a0',
];
export const displayNameArb = fc.option(fc.string({ unit: fc.constantFrom(...NAME_CHARS), maxLength: 16 }), {
  nil: undefined,
});

export const identityArb: fc.Arbitrary<CpimIdentityInit> = fc.record({
  uri: sipUriArb,
  displayName: displayNameArb,
});

/** A header value a parser reads back unchanged: one line, not empty, no leading whitespace. */
const VALUE_CHARS = [
  ...Array.from('abcXYZ019 ,;:<>"\\/=?@[]{}()!#$%&*+-._~\'`|^'),
  '\t',
  'é',
  'ü',
  '大',
  '😀',
  'Ω',
];
export const headerValueArb = fc
  .string({ unit: fc.constantFrom(...VALUE_CHARS), minLength: 1, maxLength: 30 })
  .filter((v) => !/^\s/.test(v));

const headerNameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const namespaceArb = fc.oneof(
  fc.constant({ prefix: 'imdn', uri: 'urn:ietf:params:imdn' }),
  fc.record({
    prefix: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
    uri: fc.stringMatching(/^urn:[a-z]{1,8}:[a-z0-9:]{1,12}$/),
  }),
);
export const additionalHeaderArb: fc.Arbitrary<CpimHeader> = fc.record({
  name: headerNameArb,
  namespace: namespaceArb,
  value: headerValueArb,
});

const langArb = fc.stringMatching(/^[a-z]{1,8}(-[a-z0-9]{1,8})?$/);
const subjectArb = fc.oneof(
  headerValueArb.filter((v) => !v.startsWith(';lang=')),
  fc.record({
    text: headerValueArb.filter((v) => !v.startsWith(';lang=')),
    translations: fc
      .uniqueArray(fc.tuple(langArb, headerValueArb), { selector: ([lang]) => lang, maxLength: 3 })
      .map((entries) => new Map(entries)),
  }),
);

export const contentTypeArb = fc.constantFrom(
  'text/plain',
  'text/html',
  'message/imdn+xml',
  'application/sylk-file-transfer',
  'application/im-iscomposing+xml',
  'image/png',
);

/** Any text, line ends of every kind included (the MIME part is carried verbatim). */
export const contentArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc
    .array(fc.constantFrom('Hello', '\r\n', '\n', '\r', '\r\n\r\n', 'From: x', ' ', 'é😀'), { maxLength: 10 })
    .map((a) => a.join('')),
);

export const cpimInitArb: fc.Arbitrary<CpimInit> = fc.record({
  sender: fc.option(identityArb, { nil: undefined }),
  recipients: fc.array(identityArb, { maxLength: 2 }),
  courtesyRecipients: fc.array(identityArb, { maxLength: 2 }),
  subject: fc.option(subjectArb, { nil: undefined }),
  timestamp: fc.option(timestampArb, { nil: undefined }),
  required: fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z0-9.-]{0,10}$/), { maxLength: 3 }),
  additionalHeaders: fc.array(additionalHeaderArb, { maxLength: 5 }),
  contentType: contentTypeArb,
  charset: fc.option(fc.constantFrom('utf-8', 'UTF-8', 'iso-8859-1'), { nil: undefined }),
  content: contentArb,
});

/** XML text a parser reads back unchanged: no surrounding whitespace, markup characters included. */
const XML_CHARS = [...Array.from('abcXYZ019 <>&"\'/:;=?@#.-_'), '\t', '\n', '\r', 'é', '大', '😀', ']]>'];
export const xmlValueArb = fc
  .string({ unit: fc.constantFrom(...XML_CHARS), minLength: 1, maxLength: 24 })
  .filter((v) => v.trim() === v && v !== '');

export const imdnInitArb: fc.Arbitrary<ImdnInit> = fc
  .constantFrom(...(Object.keys(IMDN_STATUSES) as ImdnNotification[]))
  .chain((notification) =>
    fc.record({
      messageId: xmlValueArb,
      datetime: fc.oneof(timestampArb, xmlValueArb),
      recipientUri: fc.option(xmlValueArb, { nil: undefined }),
      originalRecipientUri: fc.option(xmlValueArb, { nil: undefined }),
      subject: fc.option(xmlValueArb, { nil: undefined }),
      notification: fc.constant(notification),
      status: fc.constantFrom(...IMDN_STATUSES[notification]),
    }),
  );

export const ftHttpFileArb: fc.Arbitrary<FtHttpFileInit> = fc.record({
  type: fc.constantFrom('file', 'thumbnail'),
  fileDisposition: fc.option(fc.constantFrom('render', 'attachment'), { nil: undefined }),
  fileSize: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).filter((n) => String(n).length <= 15),
  fileName: fc.option(xmlValueArb, { nil: undefined }),
  contentType: xmlValueArb,
  url: xmlValueArb,
  until: fc.option(xmlValueArb, { nil: undefined }),
  brandedUrl: fc.option(xmlValueArb, { nil: undefined }),
  hash: fc.option(xmlValueArb, { nil: undefined }),
});
