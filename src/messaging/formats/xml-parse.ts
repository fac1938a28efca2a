/**
 * A small, strict, namespace-aware XML reader for the few fixed documents of the messaging application
 * (IMDN, FT-HTTP, is-composing). Safe by construction: a DOCTYPE is refused, so there are no entity
 * declarations to expand (no billion laughs) and nothing external to fetch (no XXE); only the five
 * predefined entities and character references exist. Input size, depth, element and attribute counts are
 * bounded. The document must be UTF-8. Comments and processing instructions are skipped.
 */
import { fail, ok, type Result } from './result.js';
import { decodeUtf8 } from './utf8.js';

export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI; "" when the element is in no namespace. */
  readonly namespace: string;
  /** By local name for unprefixed attributes, by `{namespace}local` for namespaced ones. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The character data directly inside this element (not its children's), concatenated. */
  readonly text: string;
}

export interface XmlLimits {
  /** In UTF-8 bytes (for a Buffer) or UTF-16 units (for a string). */
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxElements: number;
  readonly maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxLength: 65_536,
  maxDepth: 16,
  maxElements: 1024,
  maxAttributes: 32,
};

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
// XML 1.0 Char: anything else (controls, lone surrogates, U+FFFE/U+FFFF) makes the document malformed.
const NOT_CHAR = /[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const NAME_PART = String.raw`[A-Za-z_\u00c0-\u{effff}][\w.\-\u00b7\u00c0-\u{effff}]*`;
const QNAME = new RegExp(`${NAME_PART}(?::${NAME_PART})?`, 'uy');
const XML_DECL =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][\w.-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>/;
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

class XmlError extends Error {}

interface MutableElement {
  readonly qname: string;
  readonly name: string;
  readonly namespace: string;
  readonly attributes: Map<string, string>;
  readonly children: XmlElement[];
  readonly textParts: string[];
  readonly namespaces: ReadonlyMap<string, string>;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Resolves &...; references in `raw` (text or attribute value). */
function expandReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError('unterminated reference');
    const predefined = PREDEFINED[ref];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric === null) throw new XmlError('undefined entity');
    const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
    if (code > 0x10ffff) throw new XmlError('character reference out of range');
    const char = String.fromCodePoint(code);
    if (NOT_CHAR.test(char)) throw new XmlError('character reference to a non-character');
    return char;
  });
}

class Reader {
  readonly text: string;
  readonly limits: XmlLimits;
  #i = 0;
  #elements = 0;
  readonly #stack: MutableElement[] = [];
  #root: XmlElement | undefined;

  constructor(text: string, limits: XmlLimits) {
    this.text = text;
    this.limits = limits;
  }

  read(): XmlElement {
    // The declaration is short; looking at a bounded prefix keeps the match cheap.
    const decl = XML_DECL.exec(this.text.slice(0, 256));
    if (decl !== null) {
      const encoding = decl[3];
      if (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase())) {
        throw new XmlError('unsupported encoding');
      }
      this.#i = decl[0].length;
    } else if (/^<\?xml[\s?]/.test(this.text)) throw new XmlError('malformed XML declaration');
    while (this.#i < this.text.length) {
      if (this.#stack.length === 0) this.#outside();
      else this.#content();
    }
    if (this.#stack.length > 0) throw new XmlError('document ends inside an element');
    if (this.#root === undefined) throw new XmlError('no root element');
    return this.#root;
  }

  #startsWith(token: string): boolean {
    return this.text.startsWith(token, this.#i);
  }

  #skipPast(token: string, what: string): void {
    const end = this.text.indexOf(token, this.#i);
    if (end === -1) throw new XmlError(`unterminated ${what}`);
    this.#i = end + token.length;
  }

  /** Comments and processing instructions, wherever they are; true when one was skipped. */
  #misc(): boolean {
    if (this.#startsWith('<!--')) {
      this.#i += 4;
      this.#skipPast('-->', 'comment');
      return true;
    }
    if (this.#startsWith('<?')) {
      if (/^<\?xml[\s?]/i.test(this.text.slice(this.#i, this.#i + 6)))
        throw new XmlError('misplaced XML declaration');
      this.#skipPast('?>', 'processing instruction');
      return true;
    }
    return false;
  }

  /** Before and after the root element: whitespace, comments, PIs; the root itself. */
  #outside(): void {
    const code = this.text.charCodeAt(this.#i);
    if (isSpace(code)) {
      this.#i++;
      return;
    }
    if (this.#misc()) return;
    if (this.#startsWith('<!')) throw new XmlError('DOCTYPE and declarations are not allowed');
    if (code !== 0x3c || this.#root !== undefined) throw new XmlError('content outside the root element');
    this.#startTag();
  }

  #content(): void {
    const top = this.#stack[this.#stack.length - 1] as MutableElement;
    const lt = this.text.indexOf('<', this.#i);
    if (lt !== this.#i) {
      const end = lt === -1 ? this.text.length : lt;
      top.textParts.push(expandReferences(this.text.slice(this.#i, end)));
      this.#i = end;
      return;
    }
    if (this.#startsWith('<![CDATA[')) {
      const end = this.text.indexOf(']]>', this.#i + 9);
      if (end === -1) throw new XmlError('unterminated CDATA section');
      top.textParts.push(this.text.slice(this.#i + 9, end));
      this.#i = end + 3;
      return;
    }
    if (this.#misc()) return;
    if (this.#startsWith('<!')) throw new XmlError('declarations are not allowed in content');
    if (this.#startsWith('</')) this.#endTag();
    else this.#startTag();
  }

  #qname(): string {
    QNAME.lastIndex = this.#i;
    const match = QNAME.exec(this.text);
    if (match === null) throw new XmlError('invalid name');
    this.#i += match[0].length;
    return match[0];
  }

  #skipSpace(): boolean {
    const start = this.#i;
    while (isSpace(this.text.charCodeAt(this.#i))) this.#i++;
    return this.#i > start;
  }

  #attributeValue(): string {
    const quote = this.text[this.#i];
    if (quote !== '"' && quote !== "'") throw new XmlError('attribute value without quotes');
    const end = this.text.indexOf(quote, this.#i + 1);
    if (end === -1) throw new XmlError('unterminated attribute value');
    const raw = this.text.slice(this.#i + 1, end);
    if (raw.includes('<')) throw new XmlError('"<" in attribute value');
    this.#i = end + 1;
    // Attribute-value normalisation: each whitespace character becomes a space.
    return expandReferences(raw.replace(/[\t\n]/g, ' '));
  }

  #startTag(): void {
    this.#i++;
    const qname = this.#qname();
    const raw: [string, string][] = [];
    for (;;) {
      const spaced = this.#skipSpace();
      if (this.#startsWith('/>') || this.#startsWith('>')) break;
      if (!spaced) throw new XmlError('attributes must be separated by whitespace');
      const name = this.#qname();
      this.#skipSpace();
      if (this.text[this.#i] !== '=') throw new XmlError('attribute without value');
      this.#i++;
      this.#skipSpace();
      if (raw.some(([seen]) => seen === name)) throw new XmlError('duplicate attribute');
      raw.push([name, this.#attributeValue()]);
      if (raw.length > this.limits.maxAttributes) throw new XmlError('too many attributes');
    }
    const selfClosing = this.#startsWith('/>');
    this.#i += selfClosing ? 2 : 1;
    const element = this.#open(qname, raw);
    if (selfClosing) this.#close(element);
    else this.#stack.push(element);
  }

  #open(qname: string, raw: readonly [string, string][]): MutableElement {
    if (++this.#elements > this.limits.maxElements) throw new XmlError('too many elements');
    if (this.#stack.length >= this.limits.maxDepth) throw new XmlError('elements nested too deep');
    const parent = this.#stack[this.#stack.length - 1];
    let namespaces: ReadonlyMap<string, string> = parent?.namespaces ?? new Map([['xml', XML_NAMESPACE]]);
    const declarations = raw.filter(([name]) => name === 'xmlns' || name.startsWith('xmlns:'));
    if (declarations.length > 0) {
      const scope = new Map(namespaces);
      for (const [name, uri] of declarations) {
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        if (prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NAMESPACE) || uri === XMLNS_NAMESPACE) {
          throw new XmlError('reserved namespace prefix or name');
        }
        if (prefix !== '' && uri === '') throw new XmlError('empty namespace name for a prefix');
        scope.set(prefix, uri);
      }
      namespaces = scope;
    }
    const resolve = (name: string, useDefault: boolean): [string, string] => {
      const colon = name.indexOf(':');
      if (colon === -1) return [useDefault ? (namespaces.get('') ?? '') : '', name];
      const uri = namespaces.get(name.slice(0, colon));
      if (uri === undefined) throw new XmlError('undeclared namespace prefix');
      return [uri, name.slice(colon + 1)];
    };
    const [namespace, name] = resolve(qname, true);
    const attributes = new Map<string, string>();
    for (const [attrName, value] of raw) {
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) continue;
      const [uri, local] = resolve(attrName, false);
      const key = uri === '' ? local : `{${uri}}${local}`;
      if (attributes.has(key)) throw new XmlError('duplicate attribute');
      attributes.set(key, value);
    }
    return { qname, name, namespace, attributes, children: [], textParts: [], namespaces };
  }

  #close(element: MutableElement): void {
    const done: XmlElement = {
      name: element.name,
      namespace: element.namespace,
      attributes: element.attributes,
      children: element.children,
      text: element.textParts.join(''),
    };
    const parent = this.#stack[this.#stack.length - 1];
    if (parent === undefined) this.#root = done;
    else parent.children.push(done);
  }

  #endTag(): void {
    this.#i += 2;
    const qname = this.#qname();
    this.#skipSpace();
    if (this.text[this.#i] !== '>') throw new XmlError('malformed end tag');
    this.#i++;
    const element = this.#stack.pop();
    if (element === undefined || element.qname !== qname) throw new XmlError('mismatched end tag');
    this.#close(element);
  }
}

/** The root element of a UTF-8 XML document; 'malformed-xml' or 'too-large' errors otherwise. */
export function parseXml(input: Buffer | string, limits: XmlLimits = DEFAULT_XML_LIMITS): Result<XmlElement> {
  if (input.length > limits.maxLength)
    return fail('too-large', `XML document longer than ${limits.maxLength}`);
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input[0] === 0xfe || input[0] === 0xff)
      return fail('malformed-xml', 'only UTF-8 documents are accepted');
    const decoded = decodeUtf8(input);
    if (!decoded.ok) return fail('malformed-xml', 'document is not valid UTF-8');
    text = decoded.value;
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  if (NOT_CHAR.test(text)) return fail('malformed-xml', 'document contains a character XML does not allow');
  try {
    return ok(new Reader(text.replace(/\r\n?/g, '\n'), limits).read());
  } catch (error) {
    if (error instanceof XmlError) return fail('malformed-xml', error.message);
    throw error;
  }
}

/** Children of `element` with this namespace and local name. */
export function childrenNamed(element: XmlElement, namespace: string, name: string): XmlElement[] {
  return element.children.filter((child) => child.namespace === namespace && child.name === name);
}

/** The first child with this namespace and local name. */
export function childNamed(element: XmlElement, namespace: string, name: string): XmlElement | undefined {
  return element.children.find((child) => child.namespace === namespace && child.name === name);
}
