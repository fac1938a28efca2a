/** MSRP URIs (relay spec §1.3, RFC 4975 §6): parsing, path splitting, RFC 4975 §6.1 comparison, formatting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_MSRP_PORT,
  formatMsrpUri,
  formatPath,
  makeMsrpUri,
  type MsrpUri,
  msrpUriEquals,
  parseMsrpPath,
  parseMsrpUri,
} from '../../src/msrp/uri.js';
import { KeptPath } from '../../src/msrp/relay/kept-path.js';
import { detachedCopy } from '../../src/text/detached-copy.js';

function uri(text: string): MsrpUri {
  const parsed = parseMsrpUri(text);
  assert.ok(parsed !== undefined, `${text} should parse`);
  return parsed;
}

describe('parseMsrpUri', () => {
  test('a relay URI without session id or port (the AUTH To-Path)', () => {
    assert.deepEqual(uri('msrp://example.com;tcp'), {
      text: 'msrp://example.com;tcp',
      secure: false,
      user: undefined,
      host: 'example.com',
      port: undefined,
      sessionId: undefined,
      transport: 'tcp',
    });
  });

  test('every part: scheme, user, host, port, session id, transport, parameters', () => {
    const text = 'msrps://alice@relay.example.com:2855/9f3a77e1c2;tcp;foo=bar;baz';
    const parsed = uri(text);
    assert.equal(parsed.text, text, 'the original text is kept verbatim');
    assert.equal(parsed.secure, true);
    assert.equal(parsed.user, 'alice');
    assert.equal(parsed.host, 'relay.example.com');
    assert.equal(parsed.port, 2855);
    assert.equal(parsed.sessionId, '9f3a77e1c2');
    assert.equal(parsed.transport, 'tcp');
  });

  test('session ids may contain + = / and the other unreserved characters', () => {
    assert.equal(uri('msrp://127.0.0.1:28555/aB3+x=/y.z_~-%41;tcp').sessionId, 'aB3+x=/y.z_~-%41');
    // A base64 nonce is used as session id (relay spec §2.6).
    assert.equal(uri('msrp://h:1/YWJj+/ZGVm==;tcp').sessionId, 'YWJj+/ZGVm==');
  });

  test('IPv6 literals in brackets; the host is kept without brackets', () => {
    const parsed = uri('msrp://[2001:db8::1]:2855/s1;tcp');
    assert.equal(parsed.host, '2001:db8::1');
    assert.equal(parsed.port, 2855);
    assert.equal(parsed.sessionId, 's1');
    assert.equal(uri('msrps://[::1];tcp').host, '::1');
  });

  test('the scheme is case-insensitive; other transports are parsed', () => {
    assert.equal(uri('MSRPS://h:1/s;tcp').secure, true);
    assert.equal(uri('msrp://h:1/s;TCP').transport, 'TCP');
    assert.equal(uri('msrp://h:1/s;ws').transport, 'ws');
  });

  test('ports: 0 and 65535 parse, 65536 and more than five digits do not', () => {
    assert.equal(uri('msrp://h:0;tcp').port, 0);
    assert.equal(uri('msrp://h:65535;tcp').port, 65535);
    assert.equal(parseMsrpUri('msrp://h:65536;tcp'), undefined);
    assert.equal(parseMsrpUri('msrp://h:123456;tcp'), undefined);
    assert.equal(parseMsrpUri('msrp://h:;tcp'), undefined);
    assert.equal(parseMsrpUri('msrp://h:12a;tcp'), undefined);
  });

  test('non-MSRP and malformed URIs are rejected', () => {
    for (const text of [
      '',
      'http://example.com;tcp',
      'msrpx://example.com;tcp',
      'msrp:/example.com;tcp',
      'msrp://example.com', // no transport
      'msrp://example.com/s', // no transport
      'msrp://;tcp', // no host
      'msrp://h:1/s;', // empty transport
      'msrp://h:1/;tcp', // empty session id
      'msrp://h 1/s;tcp',
      ' msrp://h:1/s;tcp',
      'msrp://h:1/s;tcp ',
      'msrp://h:1/s;tcp msrp://g:2/t;tcp',
      'msrp://[2001:db8::1:2855/s;tcp',
      'msrp://h:1/s;tcp;',
      'msrp://h:1/s;tcp;a b',
      'msrp://h:1/s?x;tcp',
    ]) {
      assert.equal(parseMsrpUri(text), undefined, JSON.stringify(text));
    }
  });
});

describe('parseMsrpPath', () => {
  test('splits on spaces (and tabs), keeping each URI text', () => {
    const path = parseMsrpPath('msrp://r:2855/s1;tcp  msrp://r:2855/s2;tcp\tmsrp://b:40002/bsess;tcp');
    assert.ok(path !== undefined);
    assert.deepEqual(
      path.map((u) => u.text),
      ['msrp://r:2855/s1;tcp', 'msrp://r:2855/s2;tcp', 'msrp://b:40002/bsess;tcp'],
    );
    assert.equal(parseMsrpPath(' msrp://a:1/x;tcp ')?.length, 1);
  });

  test('an empty path, or any element that is not an MSRP URI, makes the whole path invalid', () => {
    assert.equal(parseMsrpPath(''), undefined);
    assert.equal(parseMsrpPath('   '), undefined);
    assert.equal(parseMsrpPath('msrp://a:1/x;tcp http://b/;tcp'), undefined);
    assert.equal(parseMsrpPath('msrp://a:1/x;tcp,msrp://b:1/y;tcp'), undefined);
  });

  test('formatPath re-emits the original texts joined by one space', () => {
    const texts = ['MSRP://Relay.Example.COM:2855/S1;tcp;x=1', 'msrp://[::1]:9/y;tcp'];
    const path = parseMsrpPath(texts.join('   '));
    assert.ok(path !== undefined);
    assert.equal(formatPath(path), texts.join(' '));
    assert.equal(formatPath([]), '');
  });
});

describe('msrpUriEquals (RFC 4975 §6.1)', () => {
  const base = 'msrp://relay.example.com:2855/abc;tcp';

  test('equal: host and transport case-insensitively, user part and parameters ignored', () => {
    for (const other of [
      base,
      'msrp://RELAY.Example.com:2855/abc;tcp',
      'msrp://relay.example.com:2855/abc;TCP',
      'msrp://bob@relay.example.com:2855/abc;tcp',
      'msrp://relay.example.com:2855/abc;tcp;foo=bar',
      'MSRP://relay.example.com:2855/abc;tcp',
    ]) {
      assert.equal(msrpUriEquals(uri(base), uri(other)), true, other);
      assert.equal(msrpUriEquals(uri(other), uri(base)), true, `${other} (symmetric)`);
    }
  });

  test('different: scheme, host, port, session id (case-sensitive), transport, absent vs explicit port', () => {
    for (const other of [
      'msrps://relay.example.com:2855/abc;tcp',
      'msrp://relay2.example.com:2855/abc;tcp',
      'msrp://relay.example.com:2856/abc;tcp',
      'msrp://relay.example.com:2855/ABC;tcp',
      'msrp://relay.example.com:2855/abcd;tcp',
      'msrp://relay.example.com:2855;tcp',
      'msrp://relay.example.com:2855/abc;ws',
      'msrp://relay.example.com/abc;tcp', // an absent port is not 2855
    ]) {
      assert.equal(msrpUriEquals(uri(base), uri(other)), false, other);
      assert.equal(msrpUriEquals(uri(other), uri(base)), false, `${other} (symmetric)`);
    }
  });

  test('IPv6 literals compare by their address text', () => {
    assert.equal(msrpUriEquals(uri('msrp://[::1]:1/s;tcp'), uri('msrp://[::1]:1/s;tcp')), true);
    assert.equal(msrpUriEquals(uri('msrp://[::1]:1/s;tcp'), uri('msrp://[::2]:1/s;tcp')), false);
  });
});

describe('formatMsrpUri and makeMsrpUri', () => {
  test('relay URIs as put in Use-Path (relay spec §2.6)', () => {
    assert.equal(
      formatMsrpUri({ secure: true, host: 'relay.example.com', port: 2855, sessionId: 'abc' }),
      'msrps://relay.example.com:2855/abc;tcp',
    );
    assert.equal(
      formatMsrpUri({ secure: false, host: '127.0.0.1', port: 28555, sessionId: 's' }),
      'msrp://127.0.0.1:28555/s;tcp',
    );
  });

  test('a port of 0 or none and an empty session id are omitted; IPv6 hosts get brackets', () => {
    assert.equal(formatMsrpUri({ secure: false, host: 'h', port: 0 }), 'msrp://h;tcp');
    assert.equal(formatMsrpUri({ secure: false, host: 'h' }), 'msrp://h;tcp');
    assert.equal(formatMsrpUri({ secure: false, host: 'h', sessionId: '' }), 'msrp://h;tcp');
    assert.equal(
      formatMsrpUri({ secure: true, host: '2001:db8::1', port: 2855, sessionId: 'x' }),
      'msrps://[2001:db8::1]:2855/x;tcp',
    );
  });

  test('makeMsrpUri parses what it formats (round trip)', () => {
    const made = makeMsrpUri({ secure: true, host: '2001:db8::1', port: 2855, sessionId: 'YWJj+/=' });
    assert.equal(made.text, 'msrps://[2001:db8::1]:2855/YWJj+/=;tcp');
    assert.equal(made.host, '2001:db8::1');
    assert.equal(made.port, 2855);
    assert.equal(made.sessionId, 'YWJj+/=');
    assert.equal(made.secure, true);
    assert.equal(made.transport, 'tcp');
  });

  test('makeMsrpUri throws for a host that cannot be in an MSRP URI', () => {
    assert.throws(() => makeMsrpUri({ secure: false, host: 'bad host' }), /cannot form an MSRP URI/);
    assert.throws(() => makeMsrpUri({ secure: false, host: '' }), /cannot form an MSRP URI/);
  });

  test('the default MSRP port is 2855', () => {
    assert.equal(DEFAULT_MSRP_PORT, 2855);
  });
});

describe('detachedCopy and KeptPath', () => {
  test('copies are equal to the original text and URIs', () => {
    const head = 'To-Path: msrp://relay.example.com:2855/abcdefghij;tcp msrps://[2001:db8::1]/s;tcp;x=y\r\n';
    const value = head.slice(9, -2);
    assert.equal(detachedCopy(value), value);
    assert.equal(detachedCopy('ünïcödé \u{1F600}'), 'ünïcödé \u{1F600}');
    const path = parseMsrpPath(value);
    assert.ok(path !== undefined);
    const kept = KeptPath.of(path);
    assert.equal(kept.text, value);
    assert.deepEqual(kept.uris, path);
    assert.equal(kept.uris, kept.uris, 'parsed once');
  });

  test('matches a From-Path, and a To-Path after the relay, element-wise (RFC 4975 §6.1)', () => {
    const path = (text: string): MsrpUri[] => {
      const parsed = parseMsrpPath(text);
      assert.ok(parsed !== undefined, text);
      return parsed;
    };
    const kept = KeptPath.of(path('msrp://A.example.com:1/x;tcp msrp://b:2/y;tcp'));
    const same = path('msrp://a.EXAMPLE.com:1/x;TCP msrp://b:2/y;tcp');
    assert.ok(kept.matchesFromPath(same));
    assert.ok(kept.matchesFromPath(same), 'again, by identity');
    assert.ok(kept.matchesFromPath(path('msrp://a.example.com:1/x;tcp')), 'a shorter received path');
    assert.ok(!kept.matchesFromPath(path('msrp://a.example.com:1/z;tcp')), 'another session id');
    assert.ok(!kept.matchesFromPath(path('msrp://a.example.com:1/x;tcp msrp://b:2/y;tcp msrp://c/z;tcp')));
    const toPath = path('msrp://relay:2855/r;tcp msrp://a.example.com:1/x;tcp msrp://b:2/y;tcp');
    assert.ok(kept.matchesToPathRest(toPath));
    assert.ok(!kept.matchesToPathRest(path('msrp://relay:2855/r;tcp msrp://a.example.com:9/x;tcp')));
    assert.ok(!kept.matchesFromPath(toPath), 'the relay URI is not part of the kept path');
  });

  test('an empty path is the shared empty KeptPath', () => {
    assert.equal(KeptPath.of([]), KeptPath.none);
    assert.deepEqual(KeptPath.none.uris, []);
    assert.equal(KeptPath.none.text, '');
  });
});
