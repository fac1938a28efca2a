/**
 * The header fields of a message, in received order. Names are matched case-insensitively and compact forms
 * equal their full names (`v` is `Via`). Each field holds one header line's value, unfolded and trimmed;
 * list headers (names.ts) may hold several comma-separated values in one field, which `values()` splits.
 * Typed values are decoded on demand and remembered per field until that field changes.
 */
import { isToken } from '../grammar/chars.js';
import { splitList } from '../grammar/list.js';
import { headerKey, isListHeader, spellingOfKey } from './names.js';

export interface HeaderField {
  /** As received or as added. */
  readonly name: string;
  /** Lower-cased canonical name (headerKey). */
  readonly key: string;
  readonly value: string;
  /**
   * Where this line is in the headers' `source` ([rawStart, rawEnd), without its CRLF), when it was
   * received as the serializer would write it (`Name: value`, canonical name, one line); -1 for a field
   * received otherwise, added or changed. The serializer takes such a line from there instead of writing it.
   */
  readonly rawStart: number;
  readonly rawEnd: number;
}

interface Field extends HeaderField {
  decoder: unknown;
  decoded: unknown;
}

function field(name: string, key: string, value: string, rawStart = -1, rawEnd = -1): Field {
  return { name, key, value, rawStart, rawEnd, decoder: undefined, decoded: undefined };
}

function checkField(name: string, value: string): void {
  if (!isToken(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  if (value.includes('\r') || value.includes('\n')) throw new TypeError(`header ${name} has a line break`);
}

export class SipHeaders {
  readonly #fields: Field[] = [];
  #source: string | undefined;

  /** Headers from `[name, value]` pairs, in order. */
  static of(entries: Iterable<readonly [string, string]>): SipHeaders {
    const headers = new SipHeaders();
    for (const [name, value] of entries) headers.add(name, value);
    return headers;
  }

  /**
   * For the parser: appends a field whose name and value it has already checked; `rawStart`/`rawEnd` give
   * its line in `source` when the line is `name: value` (kept when the name is the canonical spelling).
   */
  appendUnchecked(name: string, value: string, rawStart = -1, rawEnd = -1): void {
    const key = headerKey(name);
    // A compact or oddly cased name is written out canonically, so its line cannot be copied.
    if (rawStart === -1 || spellingOfKey(key, name) !== name) this.#fields.push(field(name, key, value));
    else this.#fields.push(field(name, key, value, rawStart, rawEnd));
  }

  /**
   * The received head's text (start line and header lines) that the fields' raw extents point into: a
   * forwarded message is written from slices of it. undefined for headers that were built rather than
   * received. Its field values are slices of the same text, so keeping it costs nothing more.
   */
  get source(): string | undefined {
    return this.#source;
  }

  /** For the parser: the head text the raw extents given to appendUnchecked point into. */
  keepSource(source: string): void {
    this.#source = source;
  }

  get size(): number {
    return this.#fields.length;
  }

  /** Every field in order. */
  fields(): readonly HeaderField[] {
    return this.#fields;
  }

  has(name: string): boolean {
    return this.#first(headerKey(name)) !== undefined;
  }

  /** How many fields (lines) carry this header. */
  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.#fields) if (f.key === key) n++;
    return n;
  }

  /** The value of the first field with this name, unsplit. */
  get(name: string): string | undefined {
    return this.#first(headerKey(name))?.value;
  }

  /** The value of every field with this name, unsplit. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const values: string[] = [];
    for (const f of this.#fields) if (f.key === key) values.push(f.value);
    return values;
  }

  /** Every value: fields of list headers are split on top-level commas, other fields are one value each. */
  values(name: string): string[] {
    const key = headerKey(name);
    if (!isListHeader(key)) return this.getAll(name);
    const values: string[] = [];
    for (const f of this.#fields) if (f.key === key) values.push(...splitList(f.value));
    return values;
  }

  add(name: string, value: string): void {
    checkField(name, value);
    this.#fields.push(field(name, headerKey(name), value));
  }

  /** Inserts before the first field of the same name, or at the top when there is none (Via, Record-Route). */
  prepend(name: string, value: string): void {
    checkField(name, value);
    const key = headerKey(name);
    const index = this.#fields.findIndex((f) => f.key === key);
    this.#fields.splice(index === -1 ? 0 : index, 0, field(name, key, value));
  }

  /** Replaces every field of this name with one, where the first was (or at the end). */
  set(name: string, value: string): void {
    checkField(name, value);
    const key = headerKey(name);
    const index = this.#fields.findIndex((f) => f.key === key);
    this.delete(name);
    const replacement = field(name, key, value);
    if (index === -1) this.#fields.push(replacement);
    else this.#fields.splice(index, 0, replacement);
  }

  /** Replaces the value of the first field of this name (keeping its position and spelling). */
  setFirst(name: string, value: string): boolean {
    checkField(name, value);
    const key = headerKey(name);
    const index = this.#fields.findIndex((f) => f.key === key);
    const current = this.#fields[index];
    if (current === undefined) return false;
    this.#fields[index] = field(current.name, key, value);
    return true;
  }

  /**
   * setFirst, when the caller already has the new value decoded by `decoder` (a Via it stamped from its
   * decoded form): the decoding is remembered, so the value is not parsed again.
   */
  setFirstDecoded<T>(name: string, value: string, decoder: (value: string) => T, decoded: T): boolean {
    if (!this.setFirst(name, value)) return false;
    const f = this.#first(headerKey(name));
    if (f !== undefined) {
      f.decoder = decoder;
      f.decoded = decoded;
    }
    return true;
  }

  /** Removes the first field of this name. */
  deleteFirst(name: string): boolean {
    const key = headerKey(name);
    const index = this.#fields.findIndex((f) => f.key === key);
    if (index === -1) return false;
    this.#fields.splice(index, 1);
    return true;
  }

  /** Removes every field of this name; returns how many there were. */
  delete(name: string): number {
    const key = headerKey(name);
    const before = this.#fields.length;
    let w = 0;
    for (const f of this.#fields) if (f.key !== key) this.#fields[w++] = f;
    this.#fields.length = w;
    return before - w;
  }

  /** Removes the fields of this name whose value `matches`; returns how many were removed. */
  deleteWhere(name: string, matches: (value: string) => boolean): number {
    const key = headerKey(name);
    const before = this.#fields.length;
    let w = 0;
    for (const f of this.#fields) if (f.key !== key || !matches(f.value)) this.#fields[w++] = f;
    this.#fields.length = w;
    return before - w;
  }

  /** The first field's value decoded by `decoder`, remembered until the field changes. */
  decodeFirst<T>(name: string, decoder: (value: string) => T): T | undefined {
    const f = this.#first(headerKey(name));
    return f === undefined ? undefined : decode(f, decoder);
  }

  /** Every field decoded by `decoder` (one result per field), each remembered until its field changes. */
  decodeEach<T>(name: string, decoder: (value: string) => T): T[] {
    const key = headerKey(name);
    const results: T[] = [];
    for (const f of this.#fields) if (f.key === key) results.push(decode(f, decoder));
    return results;
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.#source = this.#source;
    for (const f of this.#fields) copy.#fields.push(field(f.name, f.key, f.value, f.rawStart, f.rawEnd));
    return copy;
  }

  /** `[canonical name, value]` pairs in order, as the serializer writes them. */
  *entries(): IterableIterator<[string, string]> {
    for (const f of this.#fields) yield [spellingOfKey(f.key, f.name), f.value];
  }

  #first(key: string): Field | undefined {
    for (const f of this.#fields) if (f.key === key) return f;
    return undefined;
  }
}

function decode<T>(f: Field, decoder: (value: string) => T): T {
  if (f.decoder !== decoder) {
    f.decoded = decoder(f.value);
    f.decoder = decoder;
  }
  return f.decoded as T;
}
