// Differential test: generated INI files are read by IniDocument and by Python's configparser (through
// configparser-dump.py, one python3 process for the whole batch) and the results must agree: sections and
// keys in order, interpolated values, raw values, which files were read, and where errors happen (a read
// error on one side must be a read error on the other; an interpolation error must hit the same key).
// INI_DIFF_SEED and INI_DIFF_RUNS change the seed and the number of generated cases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { IniDocument, IniError } from '../../src/ini/ini.js';

const SEED = Number(process.env.INI_DIFF_SEED ?? '20240611');
const RUNS = Number(process.env.INI_DIFF_RUNS ?? '400');
const DUMP_SCRIPT = fileURLToPath(new URL('configparser-dump.py', import.meta.url));

// ---- The grammar ----
// Names are never integer-like: JSON.parse would put such object keys first and break the order check.

const indent = fc.oneof(
  { weight: 24, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.constantFrom(' ', '  ', '\t', '    ') },
  // Python's whitespace is not JavaScript's: NBSP and \x1c are whitespace to both strip() and `\s`, BOM is not.
  { weight: 1, arbitrary: fc.constantFrom('\u00a0', '\x1c', '\ufeff', '\u3000') },
);
const deeper = fc.constantFrom(' ', '  ', '\t', '      ', ' \t');
const trailing = fc.constantFrom('', '', '', ' ', '\t', '\u00a0');
const sectionName = fc.constantFrom(
  'DEFAULT',
  'DEFAULT',
  'relay',
  'Relay',
  'Memory',
  'tls',
  'x y',
  ' spaced ',
  'default',
);
const keyName = fc.constantFrom(
  'k',
  'K',
  'k-1',
  'k_1',
  'dir',
  'name',
  'Key-Name',
  'key_name',
  'a.b',
  'key name',
  'user@sip-example.com',
  'user@sip_example.com',
  'Bob@example.org',
);
const valuePiece = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'v',
      'V',
      'two words',
      '"quoted"',
      "'q'",
      '/var/run',
      'a=b',
      'a:b',
      '# hash',
      '; semi',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('é', '\u3000x', 'x\u00a0', '%%', '100%%') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%(k)s',
      '%(k-1)s',
      '%(K)s',
      '%(Key-Name)s',
      '%(dir)s/%(name)s',
      '%(user@sip-example.com)s',
      '%(missing)s',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('%', '%(', '%(k', '%()s', '%x') },
);
const value = fc.array(valuePiece, { maxLength: 3 }).map((pieces) => pieces.join(''));
const delimiter = fc.constantFrom('=', ':', ' = ', ' : ', '= ', ' =', '\t=\t', ':  ', '==');
const comment = fc
  .tuple(indent, fc.constantFrom('#', ';'), fc.constantFrom('', ' comment', ' k = v', '[relay]'))
  .map((parts) => parts.join(''));
const blank = fc.constantFrom('', ' ', '\t');
const header = fc
  .tuple(indent, sectionName, fc.constantFrom('', '', '', ' ; note', ']', ' tail'))
  .map(([pad, name, tail]) => ({ name, line: `${pad}[${name}]${tail}` }));
const invalid = fc.constantFrom('no delimiter', '= value', ' : value', '[]', '[relay', 'word');

interface Option {
  readonly key: string;
  readonly line: string;
  readonly more: readonly string[];
}
const option: fc.Arbitrary<Option> = fc
  .record({
    pad: indent,
    key: keyName,
    delimiter,
    value,
    end: trailing,
    // Continuation lines, possibly with blank and comment lines in between or after.
    more: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.tuple(fc.constantFrom(true, true, true, false), deeper, value) },
        { weight: 2, arbitrary: blank },
        { weight: 1, arbitrary: comment },
      ),
      { maxLength: 3 },
    ),
  })
  .map((o) => ({
    key: o.key,
    line: `${o.pad}${o.key}${o.delimiter}${o.value}${o.end}`,
    // Mostly indented deeper than the key; otherwise it may be a line of its own.
    more: o.more.map((m) => (typeof m === 'string' ? m : `${m[0] ? o.pad : ''}${m[1]}${m[2]}`)),
  }));

const section = fc
  .record({
    header,
    // Unique keys per section so that most files are valid; duplicates come from the noise below.
    options: fc.uniqueArray(option, { selector: (o) => o.key.replaceAll('-', '_'), maxLength: 5 }),
    gap: fc.array(fc.oneof(blank, comment), { maxLength: 2 }),
  })
  .map((s) => ({
    name: s.header.name,
    lines: [s.header.line, ...s.options.flatMap((o) => [o.line, ...o.more]), ...s.gap],
  }));

// Occasional lines anywhere: invalid ones, a repeated header or key, or a stray indented line.
const noise = fc.oneof(
  invalid,
  header.map((h) => h.line),
  option.map((o) => o.line),
  fc.tuple(deeper, value).map(([pad, text]) => pad + text),
);

const iniText = fc
  .record({
    preamble: fc.array(fc.oneof(blank, comment), { maxLength: 2 }),
    sections: fc.uniqueArray(section, { selector: (s) => s.name, maxLength: 4 }),
    noise: fc.oneof(
      { weight: 4, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), noise), { minLength: 1, maxLength: 2 }) },
    ),
    newline: fc.constantFrom('\n', '\n', '\n', '\r\n', '\r'),
    finalNewline: fc.boolean(),
  })
  .map((f) => {
    const lines = [...f.preamble, ...f.sections.flatMap((s) => s.lines)];
    for (const [at, line] of f.noise) lines.splice(at % (lines.length + 1), 0, line);
    return lines.join(f.newline) + (f.finalNewline && lines.length > 0 ? f.newline : '');
  });

// A case is a list of files read in order; `null` stands for a missing file.
type Case = (string | Uint8Array | null)[];
const generatedCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 6, arbitrary: iniText.map((text) => [text]) },
  { weight: 3, arbitrary: fc.array(fc.option(iniText, { freq: 8 }), { minLength: 2, maxLength: 3 }) },
);

// Cases the grammar does not produce: bytes that are not UTF-8, a BOM, empty files, interpolation nested
// exactly as deep as configparser allows and one level deeper.
const chain = Array.from({ length: 10 }, (_, i) => `a${i} = %(a${i + 1})s\n`).join('');
const fixedCases: Case[] = [
  [`[DEFAULT]\n${chain}a10 = end\n[s]\n`],
  [`[s]\n${chain}a10 = 100%%\n`],
  [Buffer.from('[a]\nk = \xff\n', 'latin1')],
  [Buffer.from('\ufeff[a]\nk = v\n')],
  [''],
  ['# only a comment'],
  ['[a]\nk = v', null, '[a]\nk = w\n[DEFAULT]\nk = d\n'],
];

// ---- Running both sides ----

type Value = string | { readonly error: string };
interface Dump {
  readonly files: string[];
  readonly sections: Record<string, Record<string, Value>>;
  readonly defaults: Record<string, Value>;
  readonly raw: Record<string, Record<string, string>>;
}
type Result = Dump | { readonly error: string };

// Comparable form: ordered lists, errors reduced to `null` since class names differ between the sides.
type Canonical = null | {
  files: string[];
  sections: [name: string, keys: [key: string, value: string | null, raw: string | undefined][]][];
};

function canonical(result: Result): Canonical {
  if (!('files' in result)) return null;
  const sections = [...Object.entries(result.sections), ['DEFAULT', result.defaults] as const];
  return {
    files: result.files,
    sections: sections.map(([name, values]) => [
      name,
      Object.entries(values).map(([key, v]) => [
        key,
        typeof v === 'string' ? v : null,
        result.raw[name]?.[key],
      ]),
    ]),
  };
}

/** Reads the files with readFiles(), or one by one and then merge()d. */
async function ours(paths: string[], how: 'readFiles' | 'merge'): Promise<Result> {
  let doc: IniDocument;
  try {
    if (how === 'readFiles') {
      doc = await IniDocument.readFiles(paths);
    } else {
      const [first, ...rest] = await Promise.all(paths.map((path) => IniDocument.readFiles([path])));
      doc = first!;
      for (const other of rest) doc.merge(other);
    }
  } catch (error) {
    if (error instanceof IniError) return { error: 'IniError' };
    throw error;
  }
  const values = (name: string): Record<string, Value> =>
    Object.fromEntries(
      doc.keys(name).map((key): [string, Value] => {
        try {
          return [key, doc.get(name, key) ?? ''];
        } catch (error) {
          if (error instanceof IniError) return [key, { error: 'IniError' }];
          throw error;
        }
      }),
    );
  const raw = (name: string): Record<string, string> =>
    Object.fromEntries(doc.keys(name).map((key) => [key, doc.getRaw(name, key) ?? '']));
  return {
    files: [...doc.files],
    sections: Object.fromEntries(doc.sections().map((name) => [name, values(name)])),
    defaults: values('DEFAULT'),
    raw: Object.fromEntries([...doc.sections(), 'DEFAULT'].map((name) => [name, raw(name)])),
  };
}

function python(cases: string[][]): Result[] {
  const run = spawnSync('python3', [DUMP_SCRIPT, '--batch'], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw new Error(`cannot run python3: ${run.error.message}`);
  assert.equal(run.status, 0, `configparser-dump.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Result[];
}

test(`IniDocument agrees with Python's configparser (seed ${SEED}, ${RUNS} generated cases)`, async () => {
  const cases = [...fixedCases, ...fc.sample(generatedCase, { numRuns: RUNS, seed: SEED })];
  const dir = await mkdtemp(join(tmpdir(), 'ini-differential-'));
  try {
    // A directory in the list is skipped by both sides like a missing file.
    await mkdir(join(dir, 'a-directory'));
    const pathLists = await Promise.all(
      cases.map(async (files, i) => {
        const paths: string[] = [];
        for (const [j, content] of files.entries()) {
          const path = join(dir, `case-${i}-${j}.ini`);
          if (content !== null) await writeFile(path, content);
          paths.push(path);
        }
        if (i % 50 === 0) paths.push(join(dir, 'a-directory'));
        return paths;
      }),
    );
    const expected = python(pathLists);
    assert.equal(expected.length, cases.length);

    const failures: { size: number; check: () => void }[] = [];
    let errors = 0;
    for (const [i, paths] of pathLists.entries()) {
      const theirs = canonical(expected[i]!);
      if (theirs === null) errors++;
      for (const how of ['readFiles', 'merge'] as const) {
        const mine = canonical(await ours(paths, how));
        if (!isDeepStrictEqual(mine, theirs)) {
          const files = JSON.stringify(
            cases[i],
            (_, v: unknown) => (v instanceof Uint8Array ? [...v] : v),
            2,
          );
          const message = `case ${i} through ${how}, files:\n${files}`;
          failures.push({
            size: files.length,
            check: () => {
              assert.deepEqual(mine, theirs, message);
            },
          });
        }
      }
    }
    // Report the smallest failing case; the grammar is random enough that it is usually readable.
    failures.sort((a, b) => a.size - b.size);
    failures[0]?.check();
    assert.equal(failures.length, 0);
    // Keep the grammar honest: it must produce both valid files and files configparser rejects.
    if (RUNS >= 200) {
      assert.ok(
        errors > cases.length / 10 && errors < cases.length / 2,
        `${errors} of ${cases.length} rejected`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
