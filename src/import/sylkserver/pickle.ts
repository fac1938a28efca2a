/**
 * Reads the plain data of a Python pickle: dicts, lists, tuples, sets, strings, bytes, numbers, booleans and
 * None, in every protocol (0, the text one Python 2's SylkServer wrote, to 5). SylkServer keeps its device
 * tokens this way (sylk spec §3.10, `webrtc_device_tokens`). Written here rather than taken from npm because
 * a pickle that names a class or a function (GLOBAL, REDUCE, BUILD…) makes Python run code: this reader
 * refuses every such opcode, so a hostile file is an error and never more; the one npm parser (pickleparser)
 * is a young single-author package that builds objects for those opcodes. Bounded (the caller bounds the
 * input; nesting and the memo are bounded here); nothing throws.
 */

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | { readonly [key: string]: PickleValue };

export type PickleResult =
  | { readonly ok: true; readonly value: PickleValue }
  | { readonly ok: false; readonly error: string };

const MAX_STACK = 100_000;
const MAX_MEMO = 1_000_000;

/** A mark on the stack (MARK opcode): what the next collection opcode gathers up to. */
const MARK: unique symbol = Symbol('mark');
type Slot = PickleValue | typeof MARK | Set<string>;

class PickleError extends Error {}

export function readPickle(data: Uint8Array): PickleResult {
  try {
    return { ok: true, value: new PickleMachine(data).run() };
  } catch (error) {
    if (error instanceof PickleError) return { ok: false, error: error.message };
    if (error instanceof RangeError) return { ok: false, error: 'the pickle ends in the middle of a value' };
    throw error;
  }
}

class PickleMachine {
  readonly #data: Uint8Array;
  readonly #view: DataView;
  #at = 0;
  readonly #stack: Slot[] = [];
  readonly #memo = new Map<number, Slot>();

  constructor(data: Uint8Array) {
    this.#data = data;
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  run(): PickleValue {
    for (;;) {
      if (this.#at >= this.#data.length) throw new PickleError('the pickle has no STOP opcode');
      const offset = this.#at;
      const op = this.#byte();
      if (op === 0x2e /* . STOP */) {
        const top = this.#pop();
        return plain(top, offset);
      }
      this.#step(op, offset);
      if (this.#stack.length > MAX_STACK) throw new PickleError('the pickle nests too deep');
    }
  }

  #step(op: number, offset: number): void {
    switch (op) {
      case 0x80: // PROTO
        if (this.#byte() > 5) throw new PickleError('pickle protocol above 5');
        return;
      case 0x95: // FRAME: a length hint only
        this.#at += 8;
        return;
      case 0x28: // ( MARK
        return void this.#stack.push(MARK);
      case 0x7d: // } EMPTY_DICT
        return void this.#stack.push({});
      case 0x5d: // ] EMPTY_LIST
      case 0x29: // ) EMPTY_TUPLE
        return void this.#stack.push([]);
      case 0x8f: // EMPTY_SET
        return void this.#stack.push(new Set<string>());
      case 0x64: // d DICT
        return void this.#stack.push(toDict(this.#popToMark(), offset));
      case 0x6c: // l LIST
      case 0x74: // t TUPLE
        return void this.#stack.push(this.#popToMark().map((slot) => plain(slot, offset)));
      case 0x91: // FROZENSET
        return void this.#stack.push(this.#popToMark().map((slot) => plain(slot, offset)));
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items = [];
        for (let i = 0; i <= op - 0x85; i++) items.unshift(plain(this.#pop(), offset));
        return void this.#stack.push(items);
      }
      case 0x61: {
        // a APPEND
        const item = plain(this.#pop(), offset);
        this.#list(offset).push(item);
        return;
      }
      case 0x65: {
        // e APPENDS
        const items = this.#popToMark().map((slot) => plain(slot, offset));
        this.#list(offset).push(...items);
        return;
      }
      case 0x90: {
        // ADDITEMS: set members are kept as a list of their texts
        const items = this.#popToMark();
        const set = this.#stack.at(-1);
        if (!(set instanceof Set)) throw new PickleError(`ADDITEMS without a set at ${offset}`);
        for (const item of items) {
          const member = plain(item, offset);
          set.add(typeof member === 'object' && member !== null ? JSON.stringify(member) : String(member));
        }
        return;
      }
      case 0x73: {
        // s SETITEM
        const value = plain(this.#pop(), offset);
        const key = keyOf(this.#pop(), offset);
        this.#dict(offset)[key] = value;
        return;
      }
      case 0x75: {
        // u SETITEMS
        const items = this.#popToMark();
        const dict = this.#dict(offset);
        for (let i = 0; i + 1 < items.length; i += 2)
          dict[keyOf(items[i], offset)] = plain(items[i + 1], offset);
        return;
      }
      case 0x4e: // N NONE
        return void this.#stack.push(null);
      case 0x88: // NEWTRUE
        return void this.#stack.push(true);
      case 0x89: // NEWFALSE
        return void this.#stack.push(false);
      case 0x4b: // K BININT1
        return void this.#stack.push(this.#byte());
      case 0x4d: // M BININT2
        this.#at += 2;
        return void this.#stack.push(this.#view.getUint16(this.#at - 2, true));
      case 0x4a: // J BININT
        this.#at += 4;
        return void this.#stack.push(this.#view.getInt32(this.#at - 4, true));
      case 0x8a: // LONG1
        return void this.#stack.push(this.#long(this.#byte()));
      case 0x8b: // LONG4
        return void this.#stack.push(this.#long(this.#uint32()));
      case 0x47: // G BINFLOAT
        this.#at += 8;
        return void this.#stack.push(this.#view.getFloat64(this.#at - 8, false));
      case 0x49: // I INT (protocol 0; I01/I00 are True/False)
        return void this.#stack.push(this.#textInt(this.#line(), offset));
      case 0x4c: // L LONG (protocol 0)
        return void this.#stack.push(this.#textInt(this.#line().replace(/L$/, ''), offset));
      case 0x46: {
        // F FLOAT (protocol 0)
        const value = Number(this.#line());
        if (Number.isNaN(value)) throw new PickleError(`a bad float at ${offset}`);
        return void this.#stack.push(value);
      }
      case 0x53: // S STRING (protocol 0: a Python repr)
        return void this.#stack.push(pythonStringLiteral(this.#line(), offset));
      case 0x56: // V UNICODE (protocol 0: raw-unicode-escape)
        return void this.#stack.push(rawUnicodeEscape(this.#line()));
      case 0x54: // T BINSTRING
      case 0x42: // B BINBYTES
        return void this.#stack.push(this.#latin1(this.#uint32()));
      case 0x55: // U SHORT_BINSTRING
      case 0x43: // C SHORT_BINBYTES
        return void this.#stack.push(this.#latin1(this.#byte()));
      case 0x58: // X BINUNICODE
        return void this.#stack.push(this.#utf8(this.#uint32()));
      case 0x8c: // SHORT_BINUNICODE
        return void this.#stack.push(this.#utf8(this.#byte()));
      case 0x8d: // BINUNICODE8
      case 0x8e: {
        // BINBYTES8
        const length = this.#view.getBigUint64(this.#at, true);
        this.#at += 8;
        if (length > BigInt(this.#data.length))
          throw new PickleError(`a value longer than the pickle at ${offset}`);
        return void this.#stack.push(op === 0x8d ? this.#utf8(Number(length)) : this.#latin1(Number(length)));
      }
      case 0x70: // p PUT
        this.#put(this.#textIndex(this.#line(), offset));
        return;
      case 0x71: // q BINPUT
        this.#put(this.#byte());
        return;
      case 0x72: // r LONG_BINPUT
        this.#put(this.#uint32());
        return;
      case 0x94: // MEMOIZE
        this.#put(this.#memo.size);
        return;
      case 0x67: // g GET
        this.#get(this.#textIndex(this.#line(), offset), offset);
        return;
      case 0x68: // h BINGET
        this.#get(this.#byte(), offset);
        return;
      case 0x6a: // j LONG_BINGET
        this.#get(this.#uint32(), offset);
        return;
      case 0x30: // 0 POP
        this.#pop();
        return;
      case 0x32: // 2 DUP
        return void this.#stack.push(this.#stack.at(-1) ?? null);
      case 0x31: // 1 POP_MARK
        this.#popToMark();
        return;
      default:
        throw new PickleError(
          `opcode 0x${op.toString(16).padStart(2, '0')} at ${offset} is not plain data (classes and calls are refused)`,
        );
    }
  }

  #byte(): number {
    const byte = this.#data[this.#at];
    if (byte === undefined) throw new RangeError('end');
    this.#at += 1;
    return byte;
  }

  #uint32(): number {
    this.#at += 4;
    return this.#view.getUint32(this.#at - 4, true);
  }

  #bytes(length: number): Uint8Array {
    if (this.#at + length > this.#data.length) throw new RangeError('end');
    const bytes = this.#data.subarray(this.#at, this.#at + length);
    this.#at += length;
    return bytes;
  }

  #utf8(length: number): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.#bytes(length));
  }

  #latin1(length: number): string {
    return Buffer.from(this.#bytes(length)).toString('latin1');
  }

  #long(length: number): bigint | number {
    const bytes = this.#bytes(length);
    let value = 0n;
    for (const byte of [...bytes].reverse()) value = (value << 8n) | BigInt(byte);
    if (((bytes.at(-1) ?? 0) & 0x80) !== 0) value -= 1n << BigInt(8 * length);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  }

  /** Protocol 0's argument: the text up to the next newline. */
  #line(): string {
    const end = this.#data.indexOf(0x0a, this.#at);
    if (end < 0) throw new RangeError('end');
    const text = Buffer.from(this.#data.subarray(this.#at, end)).toString('latin1');
    this.#at = end + 1;
    return text;
  }

  #textInt(text: string, offset: number): number | bigint | boolean {
    if (text === '01') return true;
    if (text === '00') return false;
    if (!/^[-+]?[0-9]+$/.test(text)) throw new PickleError(`a bad integer at ${offset}`);
    const value = BigInt(text);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  }

  #textIndex(text: string, offset: number): number {
    if (!/^[0-9]{1,9}$/.test(text)) throw new PickleError(`a bad memo index at ${offset}`);
    return Number(text);
  }

  #put(index: number): void {
    if (this.#memo.size >= MAX_MEMO) throw new PickleError('the pickle memo is too large');
    const top = this.#stack.at(-1);
    if (top === undefined) throw new PickleError('PUT on an empty stack');
    this.#memo.set(index, top);
  }

  #get(index: number, offset: number): void {
    const slot = this.#memo.get(index);
    if (slot === undefined) throw new PickleError(`GET of an unknown memo entry at ${offset}`);
    this.#stack.push(slot);
  }

  #pop(): Slot {
    const top = this.#stack.pop();
    if (top === undefined) throw new PickleError('the pickle pops more than it pushed');
    return top;
  }

  #popToMark(): Slot[] {
    const at = this.#stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError('a collection without its MARK');
    return this.#stack.splice(at).slice(1);
  }

  #dict(offset: number): Record<string, PickleValue> {
    const top = this.#stack.at(-1);
    if (typeof top !== 'object' || top === null || Array.isArray(top) || top instanceof Set) {
      throw new PickleError(`SETITEM without a dict at ${offset}`);
    }
    return top;
  }

  #list(offset: number): PickleValue[] {
    const top = this.#stack.at(-1);
    if (!Array.isArray(top)) throw new PickleError(`APPEND without a list at ${offset}`);
    return top;
  }
}

function plain(slot: Slot | undefined, offset: number): PickleValue {
  if (slot === undefined || slot === MARK) throw new PickleError(`a MARK where a value belongs at ${offset}`);
  if (slot instanceof Set) return [...slot];
  return slot;
}

function keyOf(slot: Slot | undefined, offset: number): string {
  const key = plain(slot, offset);
  if (typeof key === 'object' && key !== null)
    throw new PickleError(`a dict key that is not a scalar at ${offset}`);
  return String(key);
}

function toDict(items: Slot[], offset: number): Record<string, PickleValue> {
  const dict: Record<string, PickleValue> = {};
  for (let i = 0; i + 1 < items.length; i += 2) dict[keyOf(items[i], offset)] = plain(items[i + 1], offset);
  return dict;
}

/** Protocol 0's `S` argument: a quoted Python 2 string literal with its escapes. */
function pythonStringLiteral(text: string, offset: number): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text.length < 2 || text.at(-1) !== quote) {
    throw new PickleError(`a bad string literal at ${offset}`);
  }
  return text.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, escape: string) => {
    if (escape.startsWith('x')) return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    if (/^[0-7]/.test(escape)) return String.fromCharCode(Number.parseInt(escape, 8));
    return (
      ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[escape] ??
      `\\${escape}`
    );
  });
}

/** Protocol 0's `V` argument: latin-1 text with \uXXXX and \UXXXXXXXX escapes. */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short?: string, long?: string) =>
    String.fromCodePoint(Number.parseInt(short ?? long ?? '0', 16)),
  );
}
