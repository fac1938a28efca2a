import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IniDocument, IniError, parseBoolean, parseInteger } from '../../src/ini/ini.js';

const parse = (...lines: string[]): IniDocument => IniDocument.parse(lines.join('\n') + '\n', 'test.ini');

/** Asserts that parsing fails with an IniError at the given line. */
function assertParseError(line: number, ...lines: string[]): void {
  assert.throws(
    () => parse(...lines),
    (error: unknown) => error instanceof IniError && error.file === 'test.ini' && error.line === line,
  );
}

test('key = value and key: value, stripped, quotes kept', () => {
  const doc = parse('[s]', 'a = 1', 'b: two words ', 'c="quoted" ', "d :'x'", 'e =', 'f=  ');
  assert.deepEqual(doc.keys('s'), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.equal(doc.get('s', 'a'), '1');
  assert.equal(doc.get('s', 'b'), 'two words');
  assert.equal(doc.get('s', 'c'), '"quoted"');
  assert.equal(doc.get('s', 'd'), "'x'");
  assert.equal(doc.get('s', 'e'), '');
  assert.equal(doc.get('s', 'f'), '');
  assert.equal(doc.get('s', 'missing'), undefined);
  assert.equal(doc.get('nosection', 'a'), undefined);
});

test('the first = or : ends the key', () => {
  const doc = parse('[s]', 'url = sip:a@b=c', 'x:y=z', 'key name = spaced');
  assert.deepEqual(doc.entries('s'), [
    { key: 'url', rawKey: 'url', rawValue: 'sip:a@b=c' },
    { key: 'x', rawKey: 'x', rawValue: 'y=z' },
    { key: 'key name', rawKey: 'key name', rawValue: 'spaced' },
  ]);
});

test('full-line comments only; # and ; inside a value are kept', () => {
  const doc = parse('# top', '; top', '[s]', '  # indented comment', 'a = 1 # not a comment', 'b = x ; y');
  assert.deepEqual(doc.keys('s'), ['a', 'b']);
  assert.equal(doc.get('s', 'a'), '1 # not a comment');
  assert.equal(doc.get('s', 'b'), 'x ; y');
});

test("'-' in keys becomes '_', case is kept, rawKey is as written", () => {
  const doc = parse('[Memory]', 'Alice@sip-example.com = secret', 'Max-Size = 5');
  assert.deepEqual(doc.keys('Memory'), ['Alice@sip_example.com', 'Max_Size']);
  assert.deepEqual(
    doc.entries('Memory').map((entry) => entry.rawKey),
    ['Alice@sip-example.com', 'Max-Size'],
  );
  assert.equal(doc.get('Memory', 'Max-Size'), '5');
  assert.equal(doc.get('Memory', 'Max_Size'), '5');
  assert.equal(doc.get('Memory', 'max_size'), undefined);
  assert.equal(doc.getRaw('Memory', 'Alice@sip-example.com'), 'secret');
});

test('section names are case-sensitive and run to the last ]', () => {
  const doc = parse('[Relay]', 'a = 1', '[relay]', 'a = 2', '[ spaced ]', '[x] trailing ; text', '[a]b]');
  assert.deepEqual(doc.sections(), ['Relay', 'relay', ' spaced ', 'x', 'a]b']);
  assert.equal(doc.get('Relay', 'a'), '1');
  assert.equal(doc.get('relay', 'a'), '2');
  assert.equal(doc.hasSection('RELAY'), false);
});

test('continuation lines: deeper indentation than the key, blank lines kept inside, trailing ones dropped', () => {
  const doc = parse(
    '[s]',
    'a = one',
    '  two',
    '',
    '\tthree',
    '  # comment',
    '',
    '',
    'b =',
    '    x',
    '',
    'c = z',
  );
  assert.equal(doc.get('s', 'a'), 'one\ntwo\n\nthree');
  assert.equal(doc.get('s', 'b'), '\nx');
  assert.equal(doc.get('s', 'c'), 'z');
});

test('continuation is relative to the indentation of the key line', () => {
  const doc = parse('[s]', '  a = 1', '  b = 2', '    more', ' c = 3');
  assert.equal(doc.get('s', 'a'), '1');
  assert.equal(doc.get('s', 'b'), '2\nmore');
  assert.equal(doc.get('s', 'c'), '3');
  // A section header resets: an indented line after it is not a continuation.
  assertParseError(3, '[s]', '[t]', '  not a continuation');
});

test('CRLF and CR line endings are read like Python universal newlines', () => {
  const doc = IniDocument.parse('[s]\r\na = 1\r\n  2\rb = 3\r');
  assert.equal(doc.get('s', 'a'), '1\n2');
  assert.equal(doc.get('s', 'b'), '3');
});

test("whitespace is Python's: NBSP and \\x1c are stripped, a BOM is not", () => {
  const doc = parse('[s]', 'a = \u00a0x\x1c');
  assert.equal(doc.get('s', 'a'), 'x');
  assert.throws(() => IniDocument.parse('\ufeff[s]\n'), IniError);
});

test('DEFAULT keys are inherited by every section and may be overridden', () => {
  const doc = parse(
    '[DEFAULT]',
    'port = 2855',
    'host = any',
    '[a]',
    'host = a.example',
    '[DEFAULT]',
    'tls = yes',
  );
  assert.deepEqual(doc.sections(), ['a']);
  assert.equal(doc.hasSection('DEFAULT'), false);
  assert.deepEqual(doc.keys('a'), ['host', 'port', 'tls']);
  assert.deepEqual(doc.keys('DEFAULT'), ['port', 'host', 'tls']);
  assert.deepEqual(
    doc.entries('a').map((entry) => entry.key),
    ['host'],
  );
  assert.equal(doc.get('a', 'host'), 'a.example');
  assert.equal(doc.get('a', 'port'), '2855');
  assert.equal(doc.get('DEFAULT', 'host'), 'any');
  assert.equal(doc.get('missing', 'port'), undefined);
});

test('interpolation: %(name)s from the section then DEFAULT, %% escape, nested, key transform', () => {
  const doc = parse(
    '[DEFAULT]',
    'dir = /var',
    'log = %(dir)s/%(name)s.log',
    '[a]',
    'name = relay',
    'rate = 100%%',
    'file-name = x',
    'ref = %(file-name)s and %(file_name)s',
    'multi = %(name)s',
    '  %(dir)s',
    '[b]',
    'name = other',
    'dir = /srv',
  );
  assert.equal(doc.get('a', 'log'), '/var/relay.log');
  assert.equal(doc.get('b', 'log'), '/srv/other.log'); // resolved in the section being read
  assert.equal(doc.get('a', 'rate'), '100%');
  assert.equal(doc.getRaw('a', 'rate'), '100%%');
  assert.equal(doc.get('a', 'ref'), 'x and x');
  assert.equal(doc.get('a', 'multi'), 'relay\n/var');
  assert.equal(doc.getRaw('a', 'log'), '%(dir)s/%(name)s.log');
});

test('interpolation errors are thrown by get() with the source line', () => {
  const doc = parse(
    '[s]',
    'missing = %(nope)s',
    'bare = 50%',
    'bad = %x',
    'open = %(x',
    'empty = %()s',
    'self = %(self)s',
    'inherited = %(missing)s',
  );
  for (const key of ['missing', 'bare', 'bad', 'open', 'empty', 'self', 'inherited']) {
    assert.throws(() => doc.get('s', key), IniError, key);
    assert.doesNotThrow(() => doc.getRaw('s', key));
  }
  assert.throws(
    () => doc.get('s', 'bad'),
    (error: unknown) => error instanceof IniError && error.file === 'test.ini' && error.line === 4,
  );
});

test('interpolation depth: 10 nested levels are fine, 11 are not', () => {
  const chain = Array.from({ length: 10 }, (_, i) => `a${i} = %(a${i + 1})s`);
  assert.equal(parse('[s]', ...chain, 'a10 = end').get('s', 'a0'), 'end');
  // A '%%' at the end still needs one more level, as in configparser.
  assert.throws(() => parse('[s]', ...chain, 'a10 = 100%%').get('s', 'a0'), IniError);
  assert.equal(parse('[s]', ...chain, 'a10 = 100%%').get('s', 'a1'), '100%');
});

test('duplicate sections and keys in one file are errors; DEFAULT may repeat', () => {
  assertParseError(4, '[s]', 'a = 1', '', '[s]');
  assertParseError(3, '[s]', 'a = 1', 'a: 2');
  assertParseError(3, '[s]', 'a-b = 1', 'a_b = 2');
  assertParseError(4, '[DEFAULT]', 'a = 1', '[DEFAULT]', 'a = 2');
  assert.deepEqual(parse('[s]', 'a = 1', '[t]', 'a = 2').sections(), ['s', 't']);
});

test('lines before any section header, lines without a delimiter and empty keys are errors', () => {
  assertParseError(3, '# comment', '', 'a = 1', '[s]');
  assertParseError(2, '[s]', 'just words');
  assertParseError(2, '[s]', '= value');
  assertParseError(2, '[s]', ' : value');
  assertParseError(2, '[s]', '[]');
  assert.deepEqual(IniDocument.parse('').sections(), []);
});

test('readFiles overlays files in order and skips missing ones; merge does the same', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ini-test-'));
  try {
    const first = join(dir, 'first.ini');
    const second = join(dir, 'second.ini');
    const missing = join(dir, 'missing.ini');
    await writeFile(first, '[DEFAULT]\nd = 1\n[a]\nx = 1\ny = 1\n[b]\nz = 1\n');
    // Repeating a section or key of another file is fine: strictness is per file.
    await writeFile(second, '[c]\nw = 2\n[a]\nnew = 2\nx = 2\n[DEFAULT]\nd = 2\n');

    const doc = await IniDocument.readFiles([first, missing, dir, second]);
    assert.deepEqual(doc.files, [first, second]);
    assert.deepEqual(doc.sections(), ['a', 'b', 'c']);
    assert.deepEqual(doc.keys('a'), ['x', 'y', 'new', 'd']);
    assert.equal(doc.get('a', 'x'), '2');
    assert.equal(doc.get('a', 'y'), '1');
    assert.equal(doc.get('b', 'd'), '2');

    const merged = IniDocument.parse('[DEFAULT]\nd = 1\n[a]\nx = 1\ny = 1\n[b]\nz = 1\n', first);
    merged.merge(IniDocument.parse('[c]\nw = 2\n[a]\nnew = 2\nx = 2\n[DEFAULT]\nd = 2\n', second));
    assert.deepEqual(merged.files, [first, second]);
    for (const section of ['a', 'b', 'c', 'DEFAULT']) {
      assert.deepEqual(merged.entries(section), doc.entries(section), section);
    }

    await writeFile(second, '[a]\nbroken\n');
    await assert.rejects(
      IniDocument.readFiles([first, second]),
      (error: unknown) => error instanceof IniError && error.file === second && error.line === 2,
    );
    await writeFile(second, Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0xff, 0x0a])); // invalid UTF-8
    await assert.rejects(IniDocument.readFiles([second]), IniError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('parseBoolean accepts configparser BOOLEAN_STATES in any case', () => {
  for (const text of ['1', 'yes', 'YES', 'true', 'True', 'on', 'On'])
    assert.equal(parseBoolean(text), true, text);
  for (const text of ['0', 'no', 'No', 'false', 'FALSE', 'off', 'oFF'])
    assert.equal(parseBoolean(text), false, text);
  for (const text of ['', 'y', 'n', '2', 'enabled', ' yes', 'true '])
    assert.equal(parseBoolean(text), undefined, text);
});

test('parseInteger follows Python int()', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['2855', 2855],
    [' +42\t', 42],
    ['-7', -7],
    ['007', 7],
    ['1_000_000', 1000000],
    ['\u00a012\x1c', 12],
  ];
  for (const [text, value] of valid) assert.equal(parseInteger(text), value, text);
  const invalid = [
    '',
    ' ',
    '+',
    '1.0',
    '1e3',
    '0x10',
    '_1',
    '1_',
    '1__0',
    '- 1',
    '1 2',
    'ten',
    '99999999999999999999',
  ];
  for (const text of invalid) assert.equal(parseInteger(text), undefined, text);
});
