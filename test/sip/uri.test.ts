/** SIP/SIPS URIs, opaque URIs and RFC 3261 §19.1.4 comparison (RFC 3261 §19.1). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AbsoluteUri, isSipUri, parseUri, SipUri, uriEquals, uriScheme } from '../../src/sip/uri.js';

function sip(text: string): SipUri {
  const uri = SipUri.parse(text);
  assert.ok(uri, `should parse: ${text}`);
  return uri;
}

describe('SipUri.parse', () => {
  test('the examples of RFC 3261 §19.1.3', () => {
    const a = sip('sip:alice:secretword@atlanta.com;transport=tcp');
    assert.deepEqual(
      [a.scheme, a.user, a.password, a.host, a.port, a.transport],
      ['sip', 'alice', 'secretword', 'atlanta.com', undefined, 'tcp'],
    );
    const b = sip('sips:alice@atlanta.com?subject=project%20x&priority=urgent');
    assert.equal(b.secure, true);
    assert.deepEqual(b.headers, [
      ['subject', 'project%20x'],
      ['priority', 'urgent'],
    ]);
    const c = sip('sip:+1-212-555-1212:1234@gateway.com;user=phone');
    assert.deepEqual([c.user, c.password, c.param('user')], ['+1-212-555-1212', '1234', 'phone']);
    const d = sip('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com');
    assert.deepEqual([d.user, d.host, d.param('METHOD')], [undefined, 'atlanta.com', 'REGISTER']);
    const e = sip('sip:alice;day=tuesday@atlanta.com');
    assert.deepEqual([e.user, e.host, e.params.size], ['alice;day=tuesday', 'atlanta.com', 0]);
  });

  test('IPv6 references, ports and valueless parameters', () => {
    const uri = sip('sip:[2001:db8::10]:5070;lr;transport=TLS');
    assert.deepEqual(
      [uri.host, uri.port, uri.param('lr'), uri.transport],
      ['2001:db8::10', 5070, null, 'tls'],
    );
    assert.equal(uri.hasParam('LR'), true);
    assert.equal(uri.param('maddr'), undefined);
  });

  test('the unusual but legal characters of RFC 4475 §3.1.1.2', () => {
    const uri = sip(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    );
    assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(uri.host, 'example.com');
  });

  test('escapes are kept as written (RFC 4475 §3.1.1.3, §3.1.1.4)', () => {
    assert.equal(sip('sip:sips%3Auser%40example.com@example.net').user, 'sips%3Auser%40example.com');
    assert.equal(sip('sip:%00%00@host5.example.com').user, '%00%00');
    const contact = sip('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
    assert.deepEqual(
      [...contact.params],
      [
        ['%6c%72', null],
        ['n%61me', 'v%61lue%25%34%31'],
      ],
    );
  });

  test('refuses what is not a SIP URI', () => {
    const bad = [
      'sip:',
      'sip:@example.com',
      'sip:a b@c',
      'sip:host:99999',
      'sip:host;',
      'sip:host;=x',
      'sip:host?',
      'sip:host?a',
      'sip:[::1',
      'sip:user@',
      'sip:%zz@host',
      'sip:<host>',
      'sip:host extra',
      'tel:+123',
      'sipx:host',
      'sip:host;a=',
    ];
    for (const text of bad) assert.equal(SipUri.parse(text), undefined, text);
  });

  test('scheme is case-insensitive', () => {
    assert.equal(sip('SIPS:bob@example.com').scheme, 'sips');
  });
});

describe('formatting', () => {
  test('a parsed URI gives back its text verbatim', () => {
    const text = 'SIP:Bob@EXAMPLE.com:5060;Transport=UDP;lr?Subject=hi%20there';
    const uri = sip(text);
    assert.equal(uri.toString(), text);
    assert.equal(uri.verbatim, true);
  });

  test('a changed URI is formatted from its parts', () => {
    const uri = sip('sip:bob@example.com;lr').with({ port: 5070, host: '::1' });
    assert.equal(uri.verbatim, false);
    assert.equal(uri.toString(), 'sip:bob@[::1]:5070;lr');
    const built = SipUri.from({
      scheme: 'sips',
      user: 'alice',
      password: 'pw',
      host: 'example.com',
      params: new Map([['transport', 'tls']]),
      headers: [['subject', 'x']],
    });
    assert.equal(built.toString(), 'sips:alice:pw@example.com;transport=tls?subject=x');
  });

  test('parse(format(parts)) gives the same parts', () => {
    const hostArb = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6());
    const tokenArb = fc.stringMatching(/^[a-z0-9][a-z0-9.!~*'()_-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.record({
          scheme: fc.constantFrom('sip' as const, 'sips' as const),
          user: fc.option(tokenArb, { nil: undefined }),
          host: hostArb,
          port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
          params: fc.uniqueArray(fc.tuple(tokenArb, fc.option(tokenArb, { nil: null })), {
            selector: ([n]) => n,
            maxLength: 4,
          }),
        }),
        (parts) => {
          const built = SipUri.from({ ...parts, params: new Map(parts.params) });
          const parsed = SipUri.parse(built.toString());
          assert.ok(parsed, built.toString());
          assert.deepEqual(parsed.parts(), built.parts());
        },
      ),
    );
  });
});

describe('other schemes', () => {
  test('tel: and any absolute URI are kept opaque', () => {
    const tel = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    assert.ok(tel instanceof AbsoluteUri);
    assert.equal(tel.scheme, 'tel');
    assert.equal(tel.toString(), 'tel:+1-201-555-0123;phone-context=example.com');
    assert.equal(isSipUri(tel), false);
    assert.ok(parseUri('urn:service:sos') instanceof AbsoluteUri);
    assert.ok(parseUri('isbn:2983792873') instanceof AbsoluteUri);
  });

  test('uriScheme finds the scheme or says there is none', () => {
    assert.equal(uriScheme('soap.beep://192.0.2.103:3002'), 'soap.beep');
    assert.equal(uriScheme('NobodyKnowsThisScheme:x'), 'nobodyknowsthisscheme');
    for (const bad of ['<sip:x>', ':x', '1sip:x', 'no colon', 's p:x'])
      assert.equal(uriScheme(bad), undefined, bad);
  });

  test('opaque URIs refuse spaces, quotes and angle brackets', () => {
    for (const bad of ['tel:', 'tel:1 2', 'tel:<1>', 'tel:"1"'])
      assert.equal(AbsoluteUri.parse(bad), undefined, bad);
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const equal = (a: string, b: string): boolean => {
    const x = parseUri(a);
    const y = parseUri(b);
    assert.ok(x && y, `${a} / ${b}`);
    return uriEquals(x, y) && uriEquals(y, x);
  };

  test('the equivalent pairs of RFC 3261 §19.1.4', () => {
    assert.ok(equal('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
    assert.ok(equal('sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'));
    assert.ok(equal('sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'));
    assert.ok(equal('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'));
    assert.ok(
      equal(
        'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
        'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
      ),
    );
    assert.ok(
      equal(
        'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
        'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
      ),
    );
  });

  test('the non-equivalent pairs of RFC 3261 §19.1.4', () => {
    assert.equal(equal('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'), false);
    assert.equal(equal('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'), false);
    assert.equal(equal('sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'), false);
    assert.equal(equal('sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'), false);
    assert.equal(equal('sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'), false);
    assert.equal(equal('sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'), false);
  });

  test('sip and sips never match; user, ttl, method and maddr must match when present', () => {
    assert.equal(equal('sip:a@h', 'sips:a@h'), false);
    assert.equal(equal('sip:a@h;user=phone', 'sip:a@h'), false);
    assert.equal(equal('sip:a@h;maddr=1.2.3.4', 'sip:a@h;maddr=1.2.3.5'), false);
    assert.equal(equal('sip:a@h;lr', 'sip:a@h;lr=on'), false);
    assert.ok(equal('sip:a@[2001:DB8::1]', 'sip:a@[2001:db8:0:0::1]'));
  });

  test('opaque URIs compare by scheme and unescaped text', () => {
    assert.ok(equal('tel:+1234', 'TEL:+1234'));
    assert.ok(equal('tel:+12%334', 'tel:+1234'));
    assert.equal(equal('tel:+1234', 'sip:+1234@h'), false);
  });
});
