/**
 * The MIME part inside a CPIM message, read as Python's email parser (compat32 policy) reads it and written
 * as Python's email package writes it (sylk spec §2.8.1): header lines end with CRLF, LF or CR; the first blank
 * line ends them; a line that is not a header ends them too and starts the payload; continuation lines
 * start with whitespace; the payload is the rest, unchanged.
 */

export interface MimePart {
  /** Header fields in order, values unfolded as compat32 leaves them (continuations kept). */
  readonly headers: readonly (readonly [name: string, value: string])[];
  /** Lower-cased `type/subtype`; `text/plain` when absent or malformed, as get_content_type() says. */
  readonly contentType: string;
  /** Lower-cased charset parameter, if any. */
  readonly charset: string | undefined;
  readonly payload: string;
}

const DEFAULT_TYPE = 'text/plain';
// Python's email.feedparser.headerRE.
const HEADER_LINE = /^(?:From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

interface Line {
  /** With its line ending. */
  readonly text: string;
  /** Index just after the line ending. */
  readonly next: number;
  /** Nothing but a line ending: the end of the headers. */
  readonly blank: boolean;
}

function lineAt(text: string, start: number): Line {
  let end = start;
  while (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++;
  let next = end;
  if (text.charCodeAt(end) === 0x0d) next = text.charCodeAt(end + 1) === 0x0a ? end + 2 : end + 1;
  else if (text.charCodeAt(end) === 0x0a) next = end + 1;
  return { text: text.slice(start, next), next, blank: end === start && next > start };
}

/** compat32 header_source_parse: name before the first colon, value left-stripped, final EOL removed. */
function headerField(lines: readonly string[]): [string, string] {
  const first = lines[0] ?? '';
  const colon = first.indexOf(':');
  const value = first.slice(colon + 1).replace(/^[ \t]+/, '') + lines.slice(1).join('');
  return [first.slice(0, colon), value.replace(/[\r\n]+$/, '')];
}

/**
 * Header lines into fields, as feedparser._parse_headers does. Returns an mbox "From " envelope line that
 * ends the headers: Python pushes it back in front of the payload.
 */
function parseHeaderLines(lines: readonly string[], fields: [string, string][]): string {
  let current: string[] = [];
  const flush = (): void => {
    if (current.length > 0) fields.push(headerField(current));
    current = [];
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current.length > 0) current.push(line);
      continue;
    }
    flush();
    if (line.startsWith('From ')) {
      // The envelope line: dropped when first, pushed back into the payload when last, else ignored.
      if (n > 0 && n === lines.length - 1) return line;
      continue;
    }
    // A line starting with ":" has no name; Python records a defect and skips it.
    if (line.indexOf(':') > 0) current = [line];
  }
  flush();
  return '';
}

function splitParam(value: string): { type: string; params: string } {
  const semi = value.indexOf(';');
  return semi === -1
    ? { type: value.trim(), params: '' }
    : { type: value.slice(0, semi).trim(), params: value.slice(semi + 1) };
}

/** Parameters split on ";" outside quoted strings, as email.message._parseparam splits them. */
function splitParams(params: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < params.length; i++) {
    const code = params.charCodeAt(i);
    if (code === 0x5c && quoted) i++;
    else if (code === 0x22) quoted = !quoted;
    else if (code === 0x3b && !quoted) {
      parts.push(params.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(params.slice(start));
  return parts;
}

/** The charset parameter of a Content-Type value, unquoted and lower-cased. */
function charsetParam(params: string): string | undefined {
  for (const part of splitParams(params)) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    // Python refuses a non-ASCII charset name.
    return /^[\x00-\x7f]*$/.test(value) ? value.toLowerCase() : undefined;
  }
  return undefined;
}

export function parseMimePart(text: string): MimePart {
  const lines: string[] = [];
  let position = 0;
  while (position < text.length) {
    const line = lineAt(text, position);
    if (line.blank) {
      position = line.next;
      break;
    }
    // Not a header: the headers end and this line belongs to the payload.
    if (!HEADER_LINE.test(line.text)) break;
    lines.push(line.text);
    position = line.next;
  }
  const headers: [string, string][] = [];
  const pushedBack = parseHeaderLines(lines, headers);
  const contentTypeValue = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  let contentType = DEFAULT_TYPE;
  let charset: string | undefined;
  if (contentTypeValue !== undefined) {
    const { type, params } = splitParam(contentTypeValue);
    const lower = type.toLowerCase();
    if (lower.split('/').length === 2) contentType = lower;
    charset = charsetParam(params);
  }
  return { headers, contentType, charset, payload: pushedBack + text.slice(position) };
}

/**
 * The MIME part Python's email package writes for SylkServer: `MIME-Version: 1.0`, the Content-Type with a
 * quoted charset parameter, a blank line, the payload; LF line ends.
 */
export function buildMimePart(contentType: string, charset: string | undefined, payload: Buffer): Buffer {
  const type = charset === undefined ? contentType : `${contentType}; charset="${charset}"`;
  return Buffer.concat([Buffer.from(`MIME-Version: 1.0\nContent-Type: ${type}\n\n`, 'utf8'), payload]);
}
