/**
 * CPIM header lines as python3-sipsimple's regular expressions read them, written out by hand so that a
 * long hostile header block costs linear time instead of the expressions' backtracking:
 *   headers_re   (?:([^:]+?)\.)?(.+?):\s*(.+?)(?:\r\n|$)     run with findall over the whole block
 *   namespace_re ^(?:(\S+) ?)?<(.*)>$
 * Lines end with CRLF. The findall quirks are kept, because they decide which headers exist: a bare LF
 * ends a line that can then never match, and the prefix ("[^:]+?") runs across line ends, so text after
 * the last colon of lines that did not match is glued to the prefix of the next header (which then names
 * no declared namespace). One quirk is not kept: a line whose value is empty or blank lets "\s*" run into
 * the next line and swallow it as its value; here it is ignored instead.
 */

export interface HeaderLine {
  /** "" when the name has no prefix. */
  readonly prefix: string;
  readonly name: string;
  /** Leading whitespace removed, trailing kept (as the lazy match to the line end leaves it). */
  readonly value: string;
}

interface LineMatch {
  /** Index of the dot that ends the prefix, or -1. */
  readonly dot: number;
  readonly name: string;
  readonly value: string;
}

function isSpace(char: string | undefined): boolean {
  return char !== undefined && /\s/.test(char);
}

/** The value after the colon at `colon`: `\s*(.+?)$` needs at least one character. */
function valueAfter(line: string, colon: number): string {
  let start = colon + 1;
  while (start < line.length && isSpace(line[start])) start++;
  // All whitespace: \s* gives back the last character so that (.+?) has one.
  return line.slice(Math.min(start, line.length - 1));
}

/** A colon at or after `from` that has at least one character after it, or -1. */
function usableColon(line: string, from: number, firstColon: number): number {
  const colon = from <= firstColon ? firstColon : line.indexOf(':', from);
  return colon !== -1 && colon < line.length - 1 ? colon : -1;
}

/** One line; `firstDot` is 1 normally, 0 when text before the line can serve as the prefix's start. */
function matchLine(line: string, firstDot: number): LineMatch | undefined {
  const firstColon = line.indexOf(':');
  if (firstColon === -1) return undefined;
  // The prefix is the shortest run without ":" that ends at a "." and leaves a non-empty name.
  for (
    let dot = line.indexOf('.', firstDot);
    dot !== -1 && dot < firstColon;
    dot = line.indexOf('.', dot + 1)
  ) {
    const colon = usableColon(line, dot + 2, firstColon);
    if (colon !== -1) return { dot, name: line.slice(dot + 1, colon), value: valueAfter(line, colon) };
  }
  const colon = usableColon(line, 1, firstColon);
  if (colon === -1) return undefined;
  return { dot: -1, name: line.slice(0, colon), value: valueAfter(line, colon) };
}

/** `[prefix.]Name: value` on one line; undefined when the line has no usable colon. */
export function parseHeaderLine(line: string): HeaderLine | undefined {
  const match = matchLine(line, 1);
  if (match === undefined) return undefined;
  return { prefix: match.dot === -1 ? '' : line.slice(0, match.dot), name: match.name, value: match.value };
}

/** Every header of a CPIM header block, in order, as findall finds them. */
export function parseHeaderBlock(block: string): HeaderLine[] {
  const headers: HeaderLine[] = [];
  /** Start of text without colons left by lines that did not match, or -1. */
  let glue = -1;
  let position = 0;
  while (position <= block.length) {
    const lf = block.indexOf('\n', position);
    const end = lf === -1 ? block.length : lf;
    const crlf = lf !== -1 && lf > position && block[lf - 1] === '\r';
    const line = block.slice(position, crlf ? end - 1 : end);
    // A value ends at CRLF or at the end ("$", which also matches before a final LF).
    const terminated = crlf || lf === -1 || lf === block.length - 1;
    const match = terminated ? matchLine(line, glue === -1 ? 1 : 0) : undefined;
    if (match !== undefined) {
      const prefix = match.dot === -1 ? '' : block.slice(glue === -1 ? position : glue, position + match.dot);
      headers.push({ prefix, name: match.name, value: match.value });
      glue = -1;
    } else {
      const lastColon = line.lastIndexOf(':');
      if (lastColon !== -1) glue = position + lastColon + 1;
      else if (glue === -1) glue = position;
    }
    if (lf === -1) break;
    position = lf + 1;
  }
  return headers;
}

/** An NS value: `prefix <uri>` or `<uri>` (prefix undefined: sipsimple files it where no header looks). */
export function parseNamespaceValue(value: string): { prefix: string | undefined; uri: string } | undefined {
  if (!value.endsWith('>')) return undefined;
  const uriEnd = value.length - 1;
  let run = 0;
  while (run < value.length && !isSpace(value[run])) run++;
  // (\S+) greedy, then " ?<": a single space and "<" right after the non-space run.
  if (run > 0 && value[run] === ' ' && value[run + 1] === '<' && run + 1 < uriEnd) {
    return { prefix: value.slice(0, run), uri: value.slice(run + 2, uriEnd) };
  }
  // Backtracking into the run: the last "<" inside it (not first) splits prefix and URI.
  const lt = value.lastIndexOf('<', Math.min(run, uriEnd) - 1);
  if (lt >= 1) return { prefix: value.slice(0, lt), uri: value.slice(lt + 1, uriEnd) };
  if (value[0] === '<' && uriEnd >= 1) return { prefix: undefined, uri: value.slice(1, uriEnd) };
  return undefined;
}
