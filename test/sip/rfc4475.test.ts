/**
 * RFC 4475 torture messages (fixtures/rfc4475): each valid message parses and its interesting fields read
 * right; each invalid one gets the answer the RFC asks for (or, where it allows a choice, the documented
 * one); nothing throws, over UDP or split byte by byte over a stream.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { unescapeOctets, unescapeText } from '../../src/sip/grammar/percent.js';
import { paramText } from '../../src/sip/grammar/params.js';
import { getCredentials } from '../../src/sip/headers/auth.js';
import { contactQ, getContacts } from '../../src/sip/headers/contact.js';
import { essence, getContentType } from '../../src/sip/headers/content-type.js';
import { getCSeq } from '../../src/sip/headers/cseq.js';
import { getFrom, getNameAddrs, getTo, type NameAddr } from '../../src/sip/headers/name-addr.js';
import { getMaxForwards } from '../../src/sip/headers/numeric.js';
import { getTopVia, getVias, isRfc3261Branch } from '../../src/sip/headers/via.js';
import { unsupportedOptionTags } from '../../src/sip/message/extensions.js';
import type { SipMessage } from '../../src/sip/message/message.js';
import { serializeMessage } from '../../src/sip/message/serialize.js';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import { AbsoluteUri, SipUri, uriEquals, type Uri } from '../../src/sip/uri.js';
import { feedAll, summary } from './parser/stream-harness.js';
import { parseRequest, parseResponse } from './helpers.js';

const DIR = new URL('fixtures/rfc4475/', import.meta.url);
const load = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

function sipUri(uri: Uri | undefined): SipUri {
  assert.ok(uri instanceof SipUri, String(uri));
  return uri;
}

type Expectation =
  | { readonly valid: true; readonly check?: (message: SipMessage) => void }
  | { readonly status: number; readonly reason: string }
  | { readonly drop: true };

function contacts(message: SipMessage): readonly NameAddr[] {
  const list = getContacts(message.headers);
  if (list === undefined || list === '*') assert.fail('expected Contact addresses');
  return list;
}

/** RFC 4475 §3.1.1: valid messages. */
const VALID: Record<string, (message: SipMessage) => void> = {
  wsinv: (m) => {
    assert.ok(m.kind === 'request' && m.method === 'INVITE');
    assert.equal(sipUri(m.uri).param('unknownparam'), null);
    const to = getTo(m.headers);
    assert.equal(to?.tag, '1918181833n');
    assert.equal(sipUri(to.uri).user, 'vivekg');
    const from = getFrom(m.headers);
    assert.equal(from?.displayName, 'J Rosenberg \\"');
    assert.equal(from.tag, '98asjd8');
    assert.equal(getMaxForwards(m.headers), 68);
    assert.equal(m.headers.get('Call-ID'), 'wsinv.ndaksdj@192.0.2.1');
    assert.deepEqual(getCSeq(m.headers), { seq: 9, method: 'INVITE' });
    assert.deepEqual(
      getVias(m.headers)?.map((v) => [v.transport, v.host, v.branch]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    assert.equal(m.headers.get('Subject'), '');
    assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
    assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    const route = getNameAddrs(m.headers, 'Route')?.[0];
    assert.deepEqual(
      [...sipUri(route?.uri).params],
      [
        ['lr', null],
        ['unknownwith', 'value'],
        ['unknown-no-value', null],
      ],
    );
    const [contact] = contacts(m);
    assert.ok(contact);
    assert.equal(contact.displayName, 'Quoted string ""');
    assert.deepEqual(
      [contact.params.get('newparam'), contact.params.get('secondparam'), contactQ(contact)],
      ['newvalue', null, 0.33],
    );
    assert.equal(m.body.length, 150);
  },
  intmeth: (m) => {
    assert.ok(m.kind === 'request');
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const uri = sipUri(m.uri);
    assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(getTopVia(m.headers)?.branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(getTo(m.headers)?.displayName, 'BEL:\u0007 NUL:\u0000 DEL:\u007f');
    const from = getFrom(m.headers);
    assert.equal(from?.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(paramText(from.params.get("fromparam''~+*_!.-%")), 'работающий');
    assert.equal(from.tag, "_token~1'+`*%!-.");
    assert.equal(m.headers.get('Call-ID'), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    assert.deepEqual(getCSeq(m.headers), { seq: 139122385, method: m.method });
    assert.equal(getMaxForwards(m.headers), 255);
    assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
  },
  esc01: (m) => {
    assert.ok(m.kind === 'request');
    assert.equal(unescapeText(sipUri(m.uri).user ?? ''), 'sips:user@example.com');
    assert.ok(uriEquals(sipUri(getTo(m.headers)?.uri), sipUri(SipUri.parse('sip:user@example.com'))));
    assert.equal(unescapeText(sipUri(getFrom(m.headers)?.uri).user ?? ''), 'I have spaces');
    const contactUri = sipUri(contacts(m)[0]?.uri);
    assert.equal(contactUri.user, 'cal%6Cer');
    assert.equal(unescapeOctets(contactUri.param('n%61me') ?? ''), 'value%41', 'unescaped once, never twice');
  },
  escnull: (m) => {
    assert.equal(unescapeOctets(sipUri(getTo(m.headers)?.uri).user ?? ''), 'null-\u0000-null');
    const [a, b] = contacts(m);
    assert.ok(a && b);
    assert.equal(uriEquals(a.uri, b.uri), false, 'two distinct contacts');
  },
  esc02: (m) => {
    assert.ok(m.kind === 'request' && m.method === 'RE%47IST%45R');
    assert.equal(getTo(m.headers)?.displayName, '%Z%45');
    assert.deepEqual(
      contacts(m).map((c) => sipUri(c.uri).user),
      ['alias1', 'alias3'],
    );
    assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
  },
  lwsdisp: (m) => {
    assert.equal(getFrom(m.headers)?.displayName, 'caller');
  },
  longreq: (m) => {
    const to = getTo(m.headers);
    assert.match(to?.displayName ?? '', /^I have a user name of (extreme){10} proportion$/);
    assert.equal(sipUri(to?.uri).port, 6000);
    assert.equal(sipUri(to?.uri).params.size, 3);
    assert.equal(getFrom(m.headers)?.tag?.length, 155);
    const vias = getVias(m.headers);
    assert.equal(vias?.length, 34);
    assert.equal(vias[0]?.host, 'sip33.example.com');
    assert.equal(vias[33]?.received, '192.0.2.5');
    assert.equal(m.body.length, 150);
  },
  dblreq: (m) => {
    assert.ok(m.kind === 'request' && m.method === 'REGISTER');
    assert.equal(m.body.length, 0, 'the INVITE after the REGISTER is noise (RFC 3261 §18.3)');
  },
  semiuri: (m) => {
    const uri = sipUri(m.kind === 'request' ? m.uri : undefined);
    assert.equal(uri.user, 'user;par=u%40example.net');
    assert.equal(uri.params.size, 0);
    assert.equal(m.headers.values('Accept').length, 6);
  },
  transports: (m) => {
    assert.deepEqual(
      getVias(m.headers)?.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    );
  },
  mpart01: (m) => {
    assert.equal(m.body.length, 553);
    assert.ok(m.body.includes(0), 'the binary part has NULs');
    const type = getContentType(m.headers);
    assert.equal(type && essence(type), 'multipart/mixed');
    assert.equal(type?.params.get('boundary'), '7a9cbec02ceef655');
    assert.deepEqual([getTopVia(m.headers)?.rport, getTopVia(m.headers)?.port], [null, 5070]);
  },
  unreason: (m) => {
    assert.ok(m.kind === 'response');
    assert.equal(m.status, 200);
    assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
  },
  noreason: (m) => {
    assert.ok(m.kind === 'response' && m.status === 100 && m.reason === '');
  },
};

const EXPECTED: Record<string, Expectation> = {
  ...Object.fromEntries(Object.entries(VALID).map(([name, check]) => [name, { valid: true, check }])),
  // RFC 4475 §3.1.2: invalid messages.
  badinv01: { status: 400, reason: 'Malformed Via Header' },
  clerr: { status: 400, reason: 'Content-Length Exceeds Datagram' },
  ncl: { status: 400, reason: 'Malformed Content-Length Header' },
  scalar02: { status: 400, reason: 'Malformed CSeq Header' },
  scalarlg: { drop: true },
  quotbal: { status: 400, reason: 'Malformed To Header' },
  ltgtruri: { status: 400, reason: 'Malformed Request-URI' },
  lwsruri: { status: 400, reason: 'Malformed Request-Line' },
  lwsstart: { status: 400, reason: 'Malformed Request-Line' },
  // "may ignore these extra SP characters": accepted, and not forwarded (see below).
  trws: { valid: true },
  escruri: { status: 400, reason: 'Headers In Request-URI' },
  // Date is not interpreted by the parser: "shouldn't [reject] unless the Date header field [is] important".
  baddate: {
    valid: true,
    check: (m) => {
      assert.equal(m.headers.get('Date'), 'Fri, 01 Jan 2010 16:00:00 EST');
    },
  },
  // Contact is not needed for transactions: the parser accepts it, the registrar's read of Contact fails (400).
  regbadct: {
    valid: true,
    check: (m) => {
      assert.equal(getContacts(m.headers), undefined);
    },
  },
  badaspec: { status: 400, reason: 'Malformed To Header' },
  baddn: { status: 400, reason: 'Malformed From Header' },
  badvers: { status: 505, reason: 'Version Not Supported' },
  mismatch01: { status: 400, reason: 'CSeq Method Mismatch' },
  // "A 400 Bad Request is also acceptable" (501 preferred): the parser cannot tell unknown from mistaken.
  mismatch02: { status: 400, reason: 'CSeq Method Mismatch' },
  bigcode: { drop: true },
  // RFC 4475 §3.2 transaction layer.
  badbranch: {
    valid: true,
    check: (m) => {
      assert.equal(isRfc3261Branch(getTopVia(m.headers)?.branch), false);
    },
  },
  // RFC 4475 §3.3 application layer: what the parser must get right for the application to answer.
  insuf: { status: 400, reason: 'Missing From Header' },
  unkscm: { status: 416, reason: 'Unsupported URI Scheme' },
  novelsc: { status: 416, reason: 'Unsupported URI Scheme' },
  unksm2: {
    valid: true,
    check: (m) => {
      assert.ok(getTo(m.headers)?.uri instanceof AbsoluteUri);
      assert.ok(getFrom(m.headers)?.uri instanceof AbsoluteUri);
      assert.ok(contacts(m)[0]?.uri instanceof AbsoluteUri);
    },
  },
  bext01: {
    valid: true,
    check: (m) => {
      assert.deepEqual(unsupportedOptionTags(m.headers, 'Require', new Set()), [
        'nothingSupportsThis',
        'nothingSupportsThisEither',
      ]);
    },
  },
  invut: {
    valid: true,
    check: (m) => {
      assert.equal(m.headers.get('Content-Type'), 'application/unknownformat');
    },
  },
  regaut01: {
    valid: true,
    check: (m) => {
      assert.deepEqual(getCredentials(m.headers, 'Authorization'), []);
    },
  },
  multi01: { status: 400, reason: 'Multiple From Headers' },
  mcl01: { status: 400, reason: 'Conflicting Content-Length Headers' },
  bcast: {
    valid: true,
    check: (m) => {
      assert.equal(getVias(m.headers)?.[1]?.host, '255.255.255.255');
    },
  },
  zeromf: {
    valid: true,
    check: (m) => {
      assert.equal(getMaxForwards(m.headers), 0);
    },
  },
  cparam01: {
    valid: true,
    check: (m) => {
      const [contact] = contacts(m);
      assert.equal(contact?.params.has('unknownparam'), true, 'a header parameter in addr-spec form');
      assert.equal(sipUri(contact.uri).params.size, 0);
    },
  },
  cparam02: {
    valid: true,
    check: (m) => {
      assert.equal(sipUri(contacts(m)[0]?.uri).param('unknownparam'), null);
    },
  },
  regescrt: {
    valid: true,
    check: (m) => {
      assert.deepEqual(sipUri(contacts(m)[0]?.uri).headers, [['Route', '%3Csip:sip.example.com%3E']]);
    },
  },
  sdp01: { valid: true },
  // RFC 4475 §3.4: RFC 2543 syntax (no branch, no Max-Forwards, no Content-Length over UDP) is still
  // understood.
  inv2543: {
    valid: true,
    check: (m) => {
      assert.equal(getTopVia(m.headers)?.branch, undefined);
      assert.equal(m.body.length, 105);
    },
  },
};

describe('RFC 4475 over UDP', () => {
  test('every fixture has an expectation and every expectation a fixture', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => f.slice(0, -4))
      .sort();
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
    assert.equal(files.length, 49);
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    test(name, () => {
      const result = parseDatagram(load(name));
      if ('valid' in expected) {
        assert.equal(
          result.kind,
          'message',
          JSON.stringify(result.kind === 'error' ? result.error : result.kind),
        );
        expected.check?.(result.message);
      } else if ('drop' in expected) {
        assert.ok(result.kind === 'error' && result.error.kind === 'drop', JSON.stringify(result));
      } else {
        assert.ok(result.kind === 'error' && result.error.kind === 'reject', JSON.stringify(result));
        assert.deepEqual([result.error.status, result.error.reason], [expected.status, expected.reason]);
      }
    });
  }
});

describe('RFC 4475 over a stream', () => {
  test('nothing throws, whole or byte by byte, and both give the same events', () => {
    for (const name of Object.keys(EXPECTED)) {
      const bytes = load(name);
      const whole = summary(feedAll([bytes]));
      assert.deepEqual(summary(feedAll(Array.from(bytes, (b) => Buffer.from([b])))), whole, name);
    }
  });

  test('valid messages with an exact Content-Length parse as over UDP', () => {
    for (const name of Object.keys(VALID).filter((n) => n !== 'dblreq')) {
      const events = feedAll([load(name)]);
      assert.equal(events.length, 1, name);
      const [event] = events;
      assert.ok(event?.type === 'message', name);
      VALID[name]?.(event.message);
    }
  });

  test('clerr: a stream waits for the rest of the body (RFC 4475 §3.1.2.2)', () => {
    const events = feedAll([load('clerr')]);
    assert.deepEqual(events, []);
  });

  test('dblreq: over a stream the second request is a message of its own', () => {
    const methods = feedAll([load('dblreq')]).map((e) =>
      e.type === 'message' && e.message.kind === 'request' ? e.message.method : e.type,
    );
    assert.deepEqual(methods, ['REGISTER', 'INVITE']);
  });

  test('inv2543: without Content-Length a stream cannot frame it (400, close)', () => {
    assert.deepEqual(summary(feedAll([load('inv2543')])), [['reject', 400, 'Missing Content-Length', true]]);
  });
});

test('trws is forwarded without its extra SP (RFC 4475 §3.1.2.10); noreason keeps the SP before its empty reason', () => {
  const trws = serializeMessage(parseRequest(load('trws'))).toString();
  assert.match(trws, /^OPTIONS sip:remote-target@example.com SIP\/2.0\r\n/);
  const noreason = serializeMessage(parseResponse(load('noreason'))).toString();
  assert.match(noreason, /^SIP\/2.0 100 \r\n/);
});
