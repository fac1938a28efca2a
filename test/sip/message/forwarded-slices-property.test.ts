/**
 * A received message's header lines that are exactly `Name: value` (canonical name, one line) are copied
 * from the received head when it is forwarded (SipHeaders.source, serialize.ts). Property tests over random
 * heads written as peers write them (compact and oddly cased names, whitespace around the colon and the
 * value, folded lines, non-ASCII values), parsed, then changed as the proxy changes them (RFC 3261 §16.6
 * Via, Max-Forwards, Route, Record-Route, Request-URI; §16.7 the response's top Via removed):
 * - the parser keeps a line's extent exactly when the line is in the form the serializer writes;
 * - the bytes written from slices are byte for byte those the serializer writes from the fields alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import { spellingOfKey } from '../../../src/sip/headers/names.js';
import { SipRequest, SipResponse, type SipMessage } from '../../../src/sip/message/message.js';
import { serializeMessage } from '../../../src/sip/message/serialize.js';
import { popVia, pushVia, stampVia } from '../../../src/sip/message/via-stack.js';
import { parseDatagram } from '../../../src/sip/parser/datagram.js';
import { parseUri } from '../../../src/sip/uri.js';
import { messageArb } from '../arbitraries.js';
import { feedAll } from '../parser/stream-harness.js';

interface LineStyle {
  readonly beforeColon: string;
  readonly afterColon: string;
  readonly trailing: string;
  /** Fold the value at its first space onto a continuation line. */
  readonly fold: boolean;
}

const styleArb: fc.Arbitrary<LineStyle> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ beforeColon: '', afterColon: ' ', trailing: '', fold: false }) },
  fc.record({
    beforeColon: fc.constantFrom('', ' ', '\t'),
    afterColon: fc.constantFrom('', ' ', '  ', '\t', ' \t'),
    trailing: fc.constantFrom('', ' ', '\t'),
    fold: fc.boolean(),
  }),
);

interface Written {
  readonly bytes: Buffer;
  /** Per field, whether its line was written exactly as the serializer writes it. */
  readonly plain: readonly boolean[];
}

function startLineOf(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.uri.toString()} SIP/2.0`
    : `SIP/2.0 ${message.status} ${message.reason}`;
}

/** The message as a peer might write it; Content-Length as given by the generated message's body. */
function write(message: SipMessage, styles: readonly LineStyle[]): Written {
  const lines = [startLineOf(message)];
  const plain: boolean[] = [];
  message.headers.fields().forEach((field, i) => {
    const style = styles[i % styles.length] ?? {
      beforeColon: '',
      afterColon: ' ',
      trailing: '',
      fold: false,
    };
    const space = field.value.indexOf(' ');
    const folded = style.fold && space > 0 && space < field.value.length - 1;
    const value = folded ? `${field.value.slice(0, space)}\r\n ${field.value.slice(space + 1)}` : field.value;
    const line = `${field.name}${style.beforeColon}:${style.afterColon}${value}${style.trailing}`;
    lines.push(line);
    plain.push(line === `${spellingOfKey(field.key, field.name)}: ${field.value}`);
  });
  lines.push(`Content-Length: ${message.body.length}`);
  plain.push(true);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return { bytes: Buffer.concat([head, message.body]), plain };
}

/** The same message with its fields only, no received bytes behind them: what the serializer writes. */
function withoutSource(message: SipMessage): SipMessage {
  const headers = SipHeaders.of(message.headers.fields().map((f): [string, string] => [f.name, f.value]));
  return message.kind === 'request'
    ? new SipRequest({ method: message.method, uri: message.uri, headers, body: message.body })
    : new SipResponse({ status: message.status, reason: message.reason, headers, body: message.body });
}

type Change = (message: SipMessage) => void;

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>((m) => {
    pushVia(m.headers, 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKproxy;rport');
  }),
  fc.constant<Change>((m) => {
    popVia(m.headers);
  }),
  fc.constant<Change>((m) => {
    stampVia(m.headers, { address: '192.0.2.77', port: 5099 });
  }),
  fc.integer({ min: 0, max: 70 }).map(
    (n): Change =>
      (m) =>
        m.headers.setFirst('Max-Forwards', String(n)),
  ),
  fc.constant<Change>((m) => {
    m.headers.prepend('Record-Route', '<sip:127.0.0.1:5060;lr>');
  }),
  fc.constant<Change>((m) => {
    m.headers.deleteFirst('Route');
  }),
  fc.constant<Change>((m) => {
    m.headers.delete('Route');
  }),
  fc.constant<Change>((m) => {
    m.headers.add('X-Added', 'é and more');
  }),
  fc.constant<Change>((m) => {
    const uri = parseUri('sip:bob@192.0.2.9:5070;transport=udp');
    if (m.kind === 'request' && uri !== undefined) m.uri = uri;
  }),
);

function parse(bytes: Buffer): SipMessage {
  const result = parseDatagram(bytes);
  if (result.kind !== 'message') assert.fail(`the written message did not parse: ${JSON.stringify(result)}`);
  return result.message;
}

test('a line keeps its received extent exactly when it is written as the serializer writes it', () => {
  fc.assert(
    fc.property(messageArb, fc.array(styleArb, { minLength: 1, maxLength: 8 }), (message, styles) => {
      const written = write(message, styles);
      const parsed = parse(written.bytes);
      const fields = parsed.headers.fields();
      assert.equal(fields.length, written.plain.length);
      assert.notEqual(parsed.headers.source, undefined);
      fields.forEach((field, i) => {
        assert.equal(field.rawStart !== -1, written.plain[i] === true, `${field.name}: ${field.value}`);
        if (field.rawStart === -1) return;
        const line = parsed.headers.source?.slice(field.rawStart, field.rawEnd);
        assert.equal(line, `${field.name}: ${field.value}`);
      });
    }),
    { numRuns: 1000 },
  );
});

test('forwarded from slices: the bytes the serializer writes from the fields, after any proxy changes', () => {
  fc.assert(
    fc.property(
      messageArb,
      fc.array(styleArb, { minLength: 1, maxLength: 8 }),
      fc.array(changeArb, { maxLength: 6 }),
      (message, styles, changes) => {
        const received = parse(write(message, styles).bytes);
        // A forwarded request is a copy of the received one (outgoing-request.ts); a response is changed in place.
        const forwarded =
          received.kind === 'request'
            ? new SipRequest({
                method: received.method,
                uri: received.uri,
                headers: received.headers.clone(),
                body: received.body,
              })
            : received;
        for (const change of changes) change(forwarded);
        const bytes = serializeMessage(forwarded);
        assert.equal(bytes.toString('latin1'), serializeMessage(withoutSource(forwarded)).toString('latin1'));
      },
    ),
    { numRuns: 600 },
  );
});

test('a stream message split across reads is written from its source as one read at once', () => {
  const text =
    'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n' +
    'From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n' +
    'Content-Length: 2\r\n\r\nhi';
  // Split, the head is parsed from the connection's buffer, which is reused: the source must not depend on it.
  const [whole] = feedAll([Buffer.from(text)]);
  const [split] = feedAll([Buffer.from(text.slice(0, 40)), Buffer.from(text.slice(40))]);
  assert.ok(whole?.type === 'message' && split?.type === 'message');
  assert.notEqual(split.message.headers.source, undefined);
  assert.equal(serializeMessage(split.message).toString('latin1'), text);
  assert.equal(serializeMessage(whole.message).toString('latin1'), text);
});
