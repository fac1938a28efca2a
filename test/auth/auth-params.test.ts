/** Authorization / WWW-Authenticate parameter parsing (relay spec §2.5 step 2, RFC 7235 §2.1). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseAuthParams, parseCredentials } from '../../src/auth/auth-params.js';

const MSRPLIB =
  'Digest username="alice", realm="example.com", nonce="Zm9vYmFy+/=", qop=auth, nc=00000001, ' +
  'cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

describe('parseCredentials', () => {
  test('an msrplib Authorization header: quoted and token values, keys as sent', () => {
    const credentials = parseCredentials(MSRPLIB);
    assert.ok(credentials?.scheme === 'digest');
    assert.deepEqual(Object.fromEntries(credentials.params), {
      username: 'alice',
      realm: 'example.com',
      nonce: 'Zm9vYmFy+/=',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  test('the scheme is case-insensitive; keys are lower-cased', () => {
    const credentials = parseCredentials('DIGEST UserName="a", Realm=r');
    assert.ok(credentials?.scheme === 'digest');
    assert.deepEqual(
      [...credentials.params],
      [
        ['username', 'a'],
        ['realm', 'r'],
      ],
    );
  });

  test('a comma without a following space, tabs and spaces around "=" are accepted (msrprelay failed here)', () => {
    const credentials = parseCredentials('Digest a=1,b="2" ,\tc = "3",  d\t=4');
    assert.ok(credentials?.scheme === 'digest');
    assert.deepEqual(Object.fromEntries(credentials.params), { a: '1', b: '2', c: '3', d: '4' });
  });

  test('a uri= parameter is just another parameter (msrprelay crashed on it)', () => {
    const credentials = parseCredentials(`${MSRPLIB}, uri="msrp://example.com;tcp"`);
    assert.ok(credentials?.scheme === 'digest');
    assert.equal(credentials.params.get('uri'), 'msrp://example.com;tcp');
  });

  test('Basic with a base64 token', () => {
    assert.deepEqual(parseCredentials('Basic YWxpY2U6MTIzNA=='), {
      scheme: 'basic',
      token: 'YWxpY2U6MTIzNA==',
    });
    assert.deepEqual(parseCredentials('basic YWxpY2U6MTIzNA'), { scheme: 'basic', token: 'YWxpY2U6MTIzNA' });
    assert.equal(parseCredentials('Basic not base64!'), undefined);
    assert.equal(parseCredentials('Basic a=b, c=d'), undefined);
  });

  test('unknown schemes, a scheme alone and malformed parameter lists are undefined', () => {
    for (const value of [
      '',
      'Digest',
      'Digest ',
      'Bearer abc',
      'NTLM a=b',
      'username="alice"',
      'Digest a',
      'Digest a=',
      'Digest =b',
      'Digest a="open',
    ]) {
      assert.equal(parseCredentials(value), undefined, JSON.stringify(value));
    }
  });
});

describe('parseAuthParams', () => {
  test('quoted strings may contain commas, equals signs, spaces and escaped quotes and backslashes', () => {
    const params = parseAuthParams(String.raw`realm="a, b=c", x="say \"hi\"", y="back\\slash", z="", w="\q"`);
    assert.ok(params !== undefined);
    assert.deepEqual(Object.fromEntries(params), {
      realm: 'a, b=c',
      x: 'say "hi"',
      y: 'back\\slash',
      z: '',
      w: 'q',
    });
  });

  test('token values may use every token character', () => {
    assert.equal(parseAuthParams("algorithm=SHA-256, t=!#$%&'*+-.^_`|~0aZ")?.get('t'), "!#$%&'*+-.^_`|~0aZ");
  });

  test('a repeated key, also in another case, makes the list invalid', () => {
    assert.equal(parseAuthParams('a=1, a=2'), undefined);
    assert.equal(parseAuthParams('Realm=x, realm=y'), undefined);
  });

  test('garbage between or after parameters makes the list invalid', () => {
    for (const text of [
      'a=1 b=2',
      'a=1;b=2',
      'a="x"y',
      'a=1 x',
      'a b=1',
      '"a"=1',
      'a=(1)',
      'a="unterminated',
    ]) {
      assert.equal(parseAuthParams(text), undefined, JSON.stringify(text));
    }
  });
});

describe('parseAuthParams round trip (property)', () => {
  const TOKEN_CHARS = Array.from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~",
  );
  const tokenArb = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
  const valueArb = fc.oneof(
    tokenArb,
    fc.string({ unit: fc.constantFrom(...Array.from('ab ,="\\\t=;:/')), maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  );
  const spaceArb = fc.constantFrom('', ' ', '  ', '\t', ' \t');
  const paramsArb = fc.uniqueArray(
    fc.tuple(tokenArb, valueArb, fc.boolean(), spaceArb, spaceArb, spaceArb, spaceArb),
    {
      minLength: 1,
      maxLength: 8,
      selector: ([key]) => key.toLowerCase(),
    },
  );

  const isToken = (value: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);
  const quote = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

  test('serialized params (quoted with escapes, or bare tokens; random whitespace) parse back', () => {
    fc.assert(
      fc.property(paramsArb, (params) => {
        const text = params
          .map(
            ([key, value, bare, s1, s2, s3, s4]) =>
              `${s1}${key}${s2}=${s3}${bare && isToken(value) ? value : quote(value)}${s4}`,
          )
          .join(',');
        const parsed = parseAuthParams(text);
        assert.ok(parsed !== undefined, `did not parse: ${text}`);
        assert.deepEqual(
          [...parsed],
          params.map(([key, value]) => [key.toLowerCase(), value]),
        );
        const credentials = parseCredentials(`Digest ${text}`);
        assert.ok(credentials?.scheme === 'digest');
        assert.deepEqual([...credentials.params], [...parsed]);
      }),
      { numRuns: 500 },
    );
  });
});
