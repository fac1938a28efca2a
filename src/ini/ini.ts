// An INI reader that follows Python 3's configparser.ConfigParser() exactly as AG Projects'
// python-application ConfigFile sets it up (which is how msrprelay reads config.ini): the default
// delimiters, comments, strict mode, continuation lines, the DEFAULT section and BasicInterpolation, with
// optionxform = lambda key: key.replace('-', '_'). The line-by-line logic mirrors RawConfigParser._read.
import { readFile } from 'node:fs/promises';
import { pyFirstNonSpace, pyRstrip, pyStrip } from './values.js';

export { parseBoolean, parseInteger } from './values.js';

const DEFAULT_SECTION = 'DEFAULT';
// configparser.MAX_INTERPOLATION_DEPTH
const MAX_INTERPOLATION_DEPTH = 10;
// BasicInterpolation._KEYCRE, anchored because it is only tried right at a '%'.
const REFERENCE = /^%\(([^)]+)\)s/;

export class IniError extends Error {
  override readonly name = 'IniError';
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, file?: string, line?: number) {
    const where = file === undefined ? '' : line === undefined ? `${file}: ` : `${file}:${line}: `;
    super(`${where}${message}`);
    this.file = file;
    this.line = line;
  }
}

export interface IniEntry {
  /** The key after optionxform ('-' becomes '_'); what get() and keys() use. */
  readonly key: string;
  /** The key exactly as written (msrprelay's [Memory] keys are user@domain and must stay byte-exact). */
  readonly rawKey: string;
  /** The value as read, before interpolation. */
  readonly rawValue: string;
}

// What a section holds; the file and line are kept to point interpolation errors at their source.
interface StoredEntry extends IniEntry {
  readonly file: string | undefined;
  readonly line: number;
}

type Section = Map<string, StoredEntry>;

/** configparser's optionxform as python-application sets it: case is kept. */
function transformKey(key: string): string {
  return key.replaceAll('-', '_');
}

/** Section name of a header line, or undefined. configparser's SECTCRE `\[(?P<header>.+)\]` is not anchored
 * at the end, so the header runs to the last ']' and anything after it is ignored. */
function sectionHeader(text: string): string | undefined {
  const close = text.lastIndexOf(']');
  return text.startsWith('[') && close >= 2 ? text.slice(1, close) : undefined;
}

/** Lines as Python's text-mode file iteration yields them: universal newlines, no empty last line. */
function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Sections of key/value entries read from one or more INI files, later files overriding earlier ones. */
export class IniDocument {
  readonly #defaults: Section = new Map();
  readonly #sections = new Map<string, Section>();
  readonly #files: string[] = [];

  private constructor() {}

  /** Parses one file's text as configparser's read_file() would; throws IniError with the file and 1-based line. */
  static parse(text: string, fileName?: string): IniDocument {
    const doc = new IniDocument();
    doc.#read(text, fileName);
    if (fileName !== undefined) doc.#files.push(fileName);
    return doc;
  }

  /**
   * Reads the files in order, later ones overriding earlier ones, like configparser's read([...]): a file
   * that cannot be opened is skipped silently. Files are decoded as strict UTF-8.
   */
  static async readFiles(paths: readonly string[]): Promise<IniDocument> {
    const doc = new IniDocument();
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // keep a BOM, as Python does
    for (const path of paths) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch {
        continue; // configparser ignores any OSError here: missing, unreadable, a directory...
      }
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch {
        throw new IniError('file is not valid UTF-8', path);
      }
      doc.#read(text, path);
      doc.#files.push(path);
    }
    return doc;
  }

  /** The files read into this document, in order. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Overlays `other` on this document, as if its file had been read after this one's. */
  merge(other: IniDocument): void {
    for (const entry of other.#defaults.values()) this.#defaults.set(entry.key, entry);
    for (const [name, section] of other.#sections) {
      const target = this.#section(name);
      for (const entry of section.values()) target.set(entry.key, entry);
    }
    this.#files.push(...other.#files);
  }

  /** Section names in file order, excluding DEFAULT. */
  sections(): string[] {
    return [...this.#sections.keys()];
  }

  /** Like configparser's has_section(): false for DEFAULT. */
  hasSection(name: string): boolean {
    return this.#sections.has(name);
  }

  /** The section's keys then the inherited DEFAULT ones, like options(); [] for a missing section.
   * For 'DEFAULT' itself, its own keys. */
  keys(section: string): string[] {
    if (section === DEFAULT_SECTION) return [...this.#defaults.keys()];
    const own = this.#sections.get(section);
    if (own === undefined) return [];
    return [...own.keys(), ...[...this.#defaults.keys()].filter((key) => !own.has(key))];
  }

  /** The section's own entries (DEFAULT ones are not included) in file order, uninterpolated. */
  entries(section: string): IniEntry[] {
    const own = section === DEFAULT_SECTION ? this.#defaults : this.#sections.get(section);
    return [...(own?.values() ?? [])].map(({ key, rawKey, rawValue }) => ({ key, rawKey, rawValue }));
  }

  /** The 1-based line of the section's own entry `key` (not one inherited from DEFAULT); undefined when missing. */
  lineOf(section: string, key: string): number | undefined {
    const own = section === DEFAULT_SECTION ? this.#defaults : this.#sections.get(section);
    return own?.get(transformKey(key))?.line;
  }

  /** The interpolated value, looked up in the section then in DEFAULT; undefined when missing. Throws
   * IniError when the interpolation fails, as configparser's get() would. */
  get(section: string, key: string): string | undefined {
    const own = this.#ownSection(section);
    if (own === undefined) return undefined;
    const entry = this.#lookup(own, transformKey(key));
    if (entry === undefined) return undefined;
    const fail = (message: string): IniError =>
      new IniError(`${message} (option '${entry.key}' in section '${section}')`, entry.file, entry.line);
    return this.#interpolate(own, entry.rawValue, 1, fail);
  }

  /** The value as read, looked up in the section then in DEFAULT; undefined when missing. */
  getRaw(section: string, key: string): string | undefined {
    const own = this.#ownSection(section);
    return own === undefined ? undefined : this.#lookup(own, transformKey(key))?.rawValue;
  }

  // get() on DEFAULT is allowed, as in configparser: it then sees only the DEFAULT keys.
  #ownSection(name: string): Section | undefined {
    return name === DEFAULT_SECTION ? new Map() : this.#sections.get(name);
  }

  #lookup(own: Section, key: string): StoredEntry | undefined {
    return own.get(key) ?? this.#defaults.get(key);
  }

  #section(name: string): Section {
    let section = this.#sections.get(name);
    if (section === undefined) {
      section = new Map();
      this.#sections.set(name, section);
    }
    return section;
  }

  // BasicInterpolation._interpolate_some: references are resolved in the section being read (then
  // DEFAULT), whichever section the referenced value came from, and only values holding a '%' recurse.
  #interpolate(own: Section, value: string, depth: number, fail: (message: string) => IniError): string {
    if (depth > MAX_INTERPOLATION_DEPTH) {
      throw fail(`interpolation nested deeper than ${MAX_INTERPOLATION_DEPTH} levels`);
    }
    let out = '';
    let rest = value;
    for (let p = rest.indexOf('%'); p >= 0; p = rest.indexOf('%')) {
      out += rest.slice(0, p);
      rest = rest.slice(p);
      const next = rest.charAt(1);
      if (next === '%') {
        out += '%';
        rest = rest.slice(2);
      } else if (next === '(') {
        const match = REFERENCE.exec(rest);
        if (match === null) throw fail(`bad interpolation variable reference ${JSON.stringify(rest)}`);
        const name = transformKey(match[1] ?? '');
        rest = rest.slice(match[0].length);
        const referenced = this.#lookup(own, name);
        if (referenced === undefined) throw fail(`interpolation refers to missing option '${name}'`);
        const v = referenced.rawValue;
        out += v.includes('%') ? this.#interpolate(own, v, depth + 1, fail) : v;
      } else {
        throw fail(`'%' must be followed by '%' or '(', found ${JSON.stringify(rest)}`);
      }
    }
    return out + rest;
  }

  // RawConfigParser._read for one file, in strict mode with empty_lines_in_values and no inline comments.
  // configparser defers syntax errors to the end of the file; here the first error of any kind is thrown.
  #read(text: string, file: string | undefined): void {
    const seenSections = new Set<string>(); // strict mode: only within one file
    const seenOptions = new Set<string>(); // `${section}\n${key}`: neither can hold a newline
    let current: Section | undefined;
    let sectionName = '';
    // The option continuation lines extend; its value is stored once it is complete.
    let option: { section: Section; entry: StoredEntry; lines: string[] } | undefined;
    let indentLevel = 0;
    const finish = (): void => {
      if (option === undefined) return;
      // Trailing empty lines go, as with configparser's '\n'.join(lines).rstrip().
      option.section.set(option.entry.key, { ...option.entry, rawValue: pyRstrip(option.lines.join('\n')) });
      option = undefined;
    };

    splitLines(text).forEach((line, index) => {
      const lineNo = index + 1;
      const stripped = pyStrip(line);
      const isComment = stripped.startsWith('#') || stripped.startsWith(';');
      if (stripped === '' || isComment) {
        // A blank line may be part of a multi-line value; a comment line is dropped.
        if (!isComment) option?.lines.push('');
        return;
      }
      const indent = pyFirstNonSpace(line);
      if (option !== undefined && indent > indentLevel) {
        option.lines.push(stripped);
        return;
      }
      indentLevel = indent;
      const header = sectionHeader(stripped);
      if (header !== undefined) {
        finish();
        sectionName = header;
        if (header === DEFAULT_SECTION) {
          current = this.#defaults; // may be repeated, unlike other sections
        } else {
          if (seenSections.has(header)) throw new IniError(`duplicate section '${header}'`, file, lineNo);
          seenSections.add(header);
          current = this.#section(header);
        }
        return;
      }
      if (current === undefined) {
        throw new IniError(`line before any [section] header: ${JSON.stringify(line)}`, file, lineNo);
      }
      // OPTCRE: the key ends at the first '=' or ':'; an empty key or no delimiter is a syntax error.
      const delimiter = stripped.search(/[=:]/);
      if (delimiter <= 0)
        throw new IniError(`expected [section] or key = value: ${JSON.stringify(line)}`, file, lineNo);
      const rawKey = pyRstrip(stripped.slice(0, delimiter));
      const key = transformKey(rawKey);
      const seen = `${sectionName}\n${key}`;
      if (seenOptions.has(seen)) {
        throw new IniError(`duplicate key '${key}' in section '${sectionName}'`, file, lineNo);
      }
      seenOptions.add(seen);
      finish();
      const first = pyStrip(stripped.slice(delimiter + 1));
      const entry: StoredEntry = { key, rawKey, rawValue: first, file, line: lineNo };
      current.set(key, entry); // now, so that a new key takes its place in the section's order
      option = { section: current, entry, lines: [first] };
    });
    finish();
  }
}
