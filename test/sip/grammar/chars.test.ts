/** Character classes and scanners of RFC 3261 §25.1. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isEscapedAt,
  isToken,
  scanDigits,
  scanToken,
  scanWord,
  skipWhitespace,
} from '../../../src/sip/grammar/chars.js';
import { quote, scanQuotedString, unquote } from '../../../src/sip/grammar/quoted.js';
import { unescapeOctets, unescapeText } from '../../../src/sip/grammar/percent.js';

describe('tokens and words', () => {
  test('token accepts every token character of RFC 3261 §25.1 and nothing else', () => {
    assert.ok(isToken("abcXYZ019-.!%*_+`'~"));
    for (const bad of ['', 'a b', 'a,b', 'a;b', 'a:b', 'a"b', 'a<b', 'a/b', 'a=b', 'é', 'a\tb']) {
      assert.equal(isToken(bad), false, bad);
    }
  });

  test('scanners stop at the first character they do not accept', () => {
    assert.equal(scanToken('INVITE sip:x', 0), 6);
    assert.equal(scanToken('  x', 0), 0);
    assert.equal(skipWhitespace(' \t x', 0), 3);
    assert.equal(scanDigits('0068abc', 0), 4);
    // Call-ID words allow the separators a token does not (RFC 4475 §3.1.1.2).
    const word = "intmeth.word%ZK-!.*_+'";
    assert.equal(scanWord(`${word}@x`, 0), word.length);
    assert.equal(scanWord('a()<>:\\"/[]?{}b c', 0), 15);
  });

  test('escaped needs % and two hex digits', () => {
    assert.ok(isEscapedAt('%3A', 0));
    assert.ok(isEscapedAt('x%aF', 1));
    assert.equal(isEscapedAt('%3', 0), false);
    assert.equal(isEscapedAt('%ZK', 0), false);
  });
});

describe('quoted strings', () => {
  test('scan stops after the closing quote and honours quoted-pairs', () => {
    assert.equal(scanQuotedString('"a\\"b" <x>', 0), 6);
    assert.equal(scanQuotedString('"J Rosenberg \\\\\\""  <', 0), 18);
    assert.equal(scanQuotedString('"unterminated', 0), -1);
    assert.equal(scanQuotedString('"ends with backslash\\', 0), -1);
  });

  test('raw control characters are refused; as quoted-pairs they are fine (RFC 4475 §3.1.1.2)', () => {
    assert.equal(scanQuotedString('"a\u0000b"', 0), -1);
    assert.equal(scanQuotedString('"a\\\u0000b"', 0), 6);
    assert.equal(scanQuotedString('"tab\there"', 0), 10);
  });

  test('unquote resolves quoted-pairs; quote escapes " and \\', () => {
    assert.equal(unquote('"J Rosenberg \\\\\\""'), 'J Rosenberg \\"');
    assert.equal(unquote('"plain"'), 'plain');
    assert.equal(quote('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
    for (const text of ['', 'a"b', '\\', 'ünïcödé "x"']) assert.equal(unquote(quote(text)), text);
  });
});

describe('percent escapes', () => {
  test('decode to octets, including NUL and non-UTF-8', () => {
    assert.equal(unescapeOctets('null-%00-null'), 'null-\u0000-null');
    assert.equal(unescapeOctets('%75se%72'), 'user');
    assert.equal(unescapeOctets('%ff'), '\u00ff');
    assert.equal(unescapeOctets('plain'), 'plain');
  });

  test('never twice (value%25%34%31 is value%41, not valueA)', () => {
    assert.equal(unescapeOctets('v%61lue%25%34%31'), 'value%41');
  });

  test('non-ASCII text compares equal to its escaped UTF-8 form', () => {
    assert.equal(unescapeOctets('é'), unescapeOctets('%C3%A9'));
    assert.equal(unescapeText('I%20have%20spaces'), 'I have spaces');
  });
});
