/** name-addr / addr-spec (From, To, Contact, Route, ...) and Contact (RFC 3261 §20.10, §20.20, §20.39). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contactExpires, contactQ, getContacts, parseContact } from '../../../src/sip/headers/contact.js';
import { SipHeaders } from '../../../src/sip/headers/header-list.js';
import {
  formatNameAddr,
  getFrom,
  getNameAddrs,
  getTo,
  parseNameAddr,
  parseNameAddrList,
} from '../../../src/sip/headers/name-addr.js';
import { AbsoluteUri, SipUri } from '../../../src/sip/uri.js';

describe('parseNameAddr', () => {
  test('quoted display name with escapes (RFC 4475 §3.1.1.1)', () => {
    const value = parseNameAddr('"J Rosenberg \\\\\\""       <sip:jdrosen@example.com> ; tag = 98asjd8');
    assert.ok(value);
    assert.equal(value.displayName, 'J Rosenberg \\"');
    assert.equal(value.uri.toString(), 'sip:jdrosen@example.com');
    assert.equal(value.tag, '98asjd8');
  });

  test('token display names, with or without LWS before < (RFC 4475 §3.1.1.2, §3.1.1.6)', () => {
    assert.equal(parseNameAddr('A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe')?.displayName, 'A. Bell');
    assert.equal(
      parseNameAddr("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>")?.displayName,
      "token1~` token2'+_ token3*%!.-",
    );
    assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323')?.displayName, 'caller');
    assert.equal(parseNameAddr('<sip:a@b>')?.displayName, undefined);
  });

  test('addr-spec form: parameters after the URI belong to the header (RFC 3261 §20)', () => {
    const value = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam;tag=1');
    assert.ok(value?.uri instanceof SipUri);
    assert.equal(value.uri.params.size, 0);
    assert.deepEqual([...value.params.keys()], ['unknownparam', 'tag']);
    const bracketed = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
    assert.ok(bracketed?.uri instanceof SipUri);
    assert.equal(bracketed.uri.hasParam('unknownparam'), true);
    assert.equal(bracketed.params.size, 0);
  });

  test('URIs of any scheme (RFC 4475 §3.3.4)', () => {
    assert.ok(parseNameAddr('isbn:2983792873')?.uri instanceof AbsoluteUri);
    assert.ok(parseNameAddr('<http://www.example.com>;tag=3234233')?.uri instanceof AbsoluteUri);
    assert.ok(parseNameAddr('<tel:+1-201-555-0123>')?.uri instanceof AbsoluteUri);
  });

  test('header parameters: quoted values keep their quotes, UTF-8 allowed', () => {
    const value = parseNameAddr(
      '<sip:a@b>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";fromParam="работающий"',
    );
    assert.equal(value?.params.get('+sip.instance'), '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
    assert.equal(value.params.get('fromparam'), '"работающий"');
  });

  test('refuses the malformed values of RFC 4475 §3.1.2', () => {
    const bad = [
      '"Mr. J. User <sip:j.user@example.com>', // quotbal
      '"Watson, Thomas" < sip:t.watson@example.org >', // badaspec
      'Bell, Alexander <sip:a.g.bell@example.com>;tag=43', // baddn
      'sip:user@example.com?Route=%3Csip:sip.example.com%3E', // regbadct: addr-spec with headers
      '"Joe" <sip:joe@example.org>;;;;', // badinv01 Contact
      '<sip:a@b',
      '<>',
      'sip:a@b extra',
      '<sip:a@b>;',
      'Bob sip:bob@b',
      'A; Bell <sip:a@b>',
      '',
    ];
    for (const text of bad) assert.equal(parseNameAddr(text), undefined, text);
  });

  test('format always uses angle brackets and quotes the display name', () => {
    const value = parseNameAddr('Bob <sip:bob@example.com;lr>;tag=a');
    assert.ok(value);
    assert.equal(formatNameAddr(value), '"Bob" <sip:bob@example.com;lr>;tag=a');
    const addrSpec = parseNameAddr('sip:a@b;tag=x');
    assert.ok(addrSpec);
    assert.equal(formatNameAddr(addrSpec), '<sip:a@b>;tag=x');
    assert.deepEqual(parseNameAddr(formatNameAddr(addrSpec)), addrSpec);
  });
});

describe('lists and headers', () => {
  test('Route lists and From/To accessors', () => {
    const headers = SipHeaders.of([
      ['From', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
      ['t', 'sip:bob@biloxi.com'],
      ['Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
      ['Route', '<sip:p3.example.com;lr>'],
    ]);
    assert.equal(getFrom(headers)?.tag, '1928301774');
    assert.equal(getTo(headers)?.tag, undefined);
    assert.deepEqual(
      getNameAddrs(headers, 'Route')?.map((r) => r.uri.toString()),
      ['sip:p1.example.com;lr', 'sip:p2.example.com;lr', 'sip:p3.example.com;lr'],
    );
    assert.deepEqual(getNameAddrs(headers, 'Record-Route'), []);
    assert.equal(parseNameAddrList('<sip:a>,,<sip:b>'), undefined);
  });

  test('Contact: a list, or * alone', () => {
    assert.equal(parseContact(' * '), '*');
    assert.equal(getContacts(SipHeaders.of([['Contact', '*']])), '*');
    assert.equal(
      getContacts(
        SipHeaders.of([
          ['Contact', '*'],
          ['Contact', '<sip:a@b>'],
        ]),
      ),
      undefined,
    );
    assert.equal(getContacts(SipHeaders.of([['Contact', '*, <sip:a@b>']])), undefined);
    const contacts = getContacts(
      SipHeaders.of([
        ['m', '<sip:a@b>;expires=60;q=0.7, "X" <sip:c@d>'],
        ['Contact', '<sip:e@f>;q=1'],
      ]),
    );
    assert.ok(Array.isArray(contacts));
    assert.equal(contacts.length, 3);
    assert.deepEqual(contacts.map(contactExpires), [60, undefined, undefined]);
    assert.deepEqual(contacts.map(contactQ), [0.7, undefined, 1]);
  });

  test('expires and q out of range read as undefined (RFC 4475 §3.1.2.4)', () => {
    const contact = parseNameAddr('<sip:user@host129.example.com>;expires=280297596632815;q=1.5');
    assert.ok(contact);
    assert.equal(contactExpires(contact), undefined);
    assert.equal(contactQ(contact), undefined);
  });
});
