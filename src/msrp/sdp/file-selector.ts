/**
 * The `a=file-selector` attribute of RFC 5547 §5 (SDP offer/answer for file transfer): the file's name,
 * type, size and hash, any of them optional, e.g.
 * `name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:72:24:5F:…`. A name is a quoted
 * string in which `"`, `%`, CR and LF are percent-encoded (RFC 5547 §5, filename-string). Bounded, and
 * nothing throws: an attribute that cannot be read is an error result naming what is wrong.
 */

export interface FileSelector {
  readonly name?: string | undefined;
  readonly type?: string | undefined;
  readonly size?: number | undefined;
  /** `sha-1:AB:CD:…` with upper-case hex (the form missive's metadata keeps, sylk spec §4.3.3). */
  readonly hash?: string | undefined;
}

export type FileSelectorResult =
  | { readonly ok: true; readonly selector: FileSelector }
  | { readonly ok: false; readonly reason: string };

/** Longer values are refused: an SDP line is small (the name alone is bounded by the file store, 250). */
export const MAX_FILE_SELECTOR_LENGTH = 2048;

const SHA1 = /^sha-1:((?:[0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2})$/i;

export function parseFileSelector(value: string): FileSelectorResult {
  if (value.length > MAX_FILE_SELECTOR_LENGTH) return fail('longer than 2048 characters');
  const fields: { name?: string; type?: string; size?: number; hash?: string } = {};
  let rest = value.trim();
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon <= 0) return fail(`expected name:, type:, size: or hash: at "${clip(rest)}"`);
    const key = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
    let raw: string;
    if (key === 'name') {
      if (!rest.startsWith('"')) return fail('the name is not a quoted string');
      const end = rest.indexOf('"', 1);
      if (end < 0) return fail('the name has no closing quote');
      raw = rest.slice(1, end);
      rest = rest.slice(end + 1);
      if (rest.length > 0 && !/^[ \t]/.test(rest)) return fail('no space after the name');
      const name = percentDecoded(raw);
      if (name === undefined) return fail('the name has a bad percent-encoding');
      fields.name = name;
    } else {
      const space = rest.search(/[ \t]/);
      raw = space < 0 ? rest : rest.slice(0, space);
      rest = space < 0 ? '' : rest.slice(space);
      if (key === 'type') {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(;[^\s]*)?$/.test(raw))
          return fail(`type "${clip(raw)}" is not type/subtype`);
        fields.type = raw;
      } else if (key === 'size') {
        if (!/^[0-9]{1,15}$/.test(raw)) return fail(`size "${clip(raw)}" is not a number of bytes`);
        fields.size = Number(raw);
      } else if (key === 'hash') {
        const match = SHA1.exec(raw);
        if (match === null) return fail('the hash is not sha-1 with 20 hex pairs');
        fields.hash = `sha-1:${(match[1] ?? '').toUpperCase()}`;
      }
      // Other selectors (RFC 5547 has none; extensions may add some) are skipped.
    }
    rest = rest.trimStart();
  }
  return { ok: true, selector: fields };
}

/** The attribute's value for a selector (the answer repeats the offer's, RFC 5547 §8.2). */
export function formatFileSelector(selector: FileSelector): string {
  const parts: string[] = [];
  if (selector.name !== undefined) parts.push(`name:"${percentEncoded(selector.name)}"`);
  if (selector.type !== undefined) parts.push(`type:${selector.type}`);
  if (selector.size !== undefined) parts.push(`size:${String(selector.size)}`);
  if (selector.hash !== undefined) parts.push(`hash:${selector.hash}`);
  return parts.join(' ');
}

function percentEncoded(name: string): string {
  return name.replace(/[%"\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function percentDecoded(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function fail(reason: string): FileSelectorResult {
  return { ok: false, reason: `a=file-selector: ${reason}` };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
