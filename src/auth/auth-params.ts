/**
 * Parses HTTP-style credentials and challenges (RFC 7235 §2.1): `Digest k=v, k="v"` or `Basic token`.
 * Tolerant of what real clients send (any whitespace around commas, quoted commas, escaped quotes) —
 * unlike msrprelay, which only split on ", " and crashed on `uri=`.
 */
export type Credentials =
  | { readonly scheme: 'digest'; readonly params: ReadonlyMap<string, string> }
  | { readonly scheme: 'basic'; readonly token: string };

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

export function parseCredentials(value: string): Credentials | undefined {
  const text = value.trim();
  const space = text.search(/[ \t]/);
  if (space <= 0) return undefined;
  const scheme = text.slice(0, space).toLowerCase();
  const rest = text.slice(space).trim();
  if (scheme === 'basic') return /^[A-Za-z0-9+/]+=*$/.test(rest) ? { scheme, token: rest } : undefined;
  if (scheme !== 'digest') return undefined;
  const params = parseAuthParams(rest);
  return params === undefined ? undefined : { scheme, params };
}

/** `k=v, k="quoted"` pairs; keys are lower-cased. undefined when malformed or a key repeats. */
export function parseAuthParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let i = 0;
  const skipSpace = (): void => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const match = TOKEN.exec(text);
    if (match === null) return undefined;
    i = TOKEN.lastIndex;
    return match[0];
  };
  for (;;) {
    skipSpace();
    const key = token();
    if (key === undefined) return undefined;
    skipSpace();
    if (text[i] !== '=') return undefined;
    i++;
    skipSpace();
    let value: string | undefined;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      const escape = text.indexOf('\\', i + 1);
      if (close !== -1 && (escape === -1 || escape > close)) {
        // The usual case, no quoted-pair: the value as one slice rather than built character by character.
        value = text.slice(i + 1, close);
        i = close + 1;
      } else {
        value = '';
        i++;
        for (; i < text.length && text[i] !== '"'; i++) {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text.charAt(i);
        }
        if (text[i] !== '"') return undefined;
        i++;
      }
    } else {
      value = token();
      if (value === undefined) return undefined;
    }
    const name = key.toLowerCase();
    if (params.has(name)) return undefined;
    params.set(name, value);
    skipSpace();
    if (i >= text.length) return params;
    if (text[i] !== ',') return undefined;
    i++;
  }
}
