/**
 * The kinds of value a setting holds, each with one parser used for the command line, the environment and
 * the configuration files alike. Parsers return a union and never throw: `expected` says what is allowed,
 * in words an operator can act on.
 */
import { isIP } from 'node:net';
import type { LevelWithSilent } from 'pino';
import { isSipUri, parseUri } from '../sip/uri.js';
import { MIN_PAGE_BYTES } from '../web/page-budget.js';
import { parseBoolean } from '../ini/values.js';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly expected: string };

export interface ValueKind<T> {
  /** The placeholder in `--option <arg>`; undefined for an on/off flag (no argument on the command line). */
  readonly argument: string | undefined;
  readonly parse: (text: string) => Parsed<T>;
  /** The value as written in a configuration file. */
  readonly show: (value: T) => string;
  /** Repeatable on the command line; comma-separated in a file or a variable. */
  readonly list: boolean;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const no = (expected: string): Parsed<never> => ({ ok: false, expected });

function kind<T>(
  argument: string | undefined,
  parse: (text: string) => Parsed<T>,
  show: (value: T) => string = String,
): ValueKind<T> {
  return { argument, parse, show, list: false };
}

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export const text = (argument: string): ValueKind<string> =>
  kind(argument, (value) => (value.trim() === '' ? no('a value that is not empty') : ok(value.trim())));

export const flag: ValueKind<boolean> = kind(
  undefined,
  (value) => {
    const parsed = parseBoolean(value.trim());
    return parsed === undefined ? no('yes/no, true/false, on/off or 1/0') : ok(parsed);
  },
  (value) => (value ? 'yes' : 'no'),
);

export const logLevel: ValueKind<LevelWithSilent> = kind('level', (value) => {
  const level = LOG_LEVELS.find((name) => name === value.trim());
  return level === undefined ? no(`one of ${LOG_LEVELS.join(', ')}`) : ok(level);
});

function portNumber(value: string): Parsed<number> {
  const n = Number(value);
  return /^[0-9]+$/.test(value) && n <= 65535 ? ok(n) : no('a port number from 0 to 65535');
}

export const port: ValueKind<number> = kind('port', (value) => portNumber(value.trim()));

/** One of a fixed list of words. */
export function oneOf<const T extends string>(argument: string, words: readonly T[]): ValueKind<T> {
  return kind(argument, (value) => {
    const word = words.find((w) => w === value.trim());
    return word === undefined ? no(`one of ${words.join(', ')}`) : ok(word);
  });
}

/** A port number, or -1 for "do not listen". */
export const portOrOff: ValueKind<number> = kind('port', (value) => {
  if (value.trim() === '-1') return ok(-1);
  const parsed = portNumber(value.trim());
  return parsed.ok ? parsed : no('a port number from 0 to 65535, or -1 (off)');
});

/** A whole number from `min` up. */
export function atLeast(min: number, argument = 'n'): ValueKind<number> {
  return kind(argument, (value) => {
    const n = Number(value.trim());
    return /^[0-9]+$/.test(value.trim()) && Number.isSafeInteger(n) && n >= min
      ? ok(n)
      : no(`a whole number from ${String(min)}`);
  });
}

export const rate: ValueKind<number> = kind('per-second', (value) => {
  const n = Number(value.trim());
  return /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) && n > 0 && n <= 1_000_000
    ? ok(n)
    : no('a positive number of messages per second, at most 1000000');
});

const MAX_PAGE_BYTES = 1024 * 1024 * 1024;

export const pageBytes: ValueKind<number> = kind('bytes', (value) => {
  const n = Number(value.trim());
  return /^[0-9]+$/.test(value.trim()) && n >= MIN_PAGE_BYTES && n <= MAX_PAGE_BYTES
    ? ok(n)
    : no(`a number of bytes from ${String(MIN_PAGE_BYTES)} to ${String(MAX_PAGE_BYTES)}`);
});

export const days: ValueKind<number> = kind('days', (value) => {
  const n = Number(value.trim());
  return /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) && n <= 36600
    ? ok(n)
    : no('a number of days from 0 (keep for ever) to 36600');
});

export const seconds: ValueKind<number> = kind('seconds', (value) => {
  const n = Number(value.trim());
  return /^[0-9]+(\.[0-9]+)?$/.test(value.trim()) && n > 0 && Number.isFinite(n)
    ? ok(n)
    : no('a positive number of seconds');
});

/** An IP address or a CIDR block (10.0.0.0/8, 2001:db8::/32). */
export const cidr: ValueKind<string> = kind('cidr', (value) => {
  const [address = '', bits, extra] = value.trim().split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const prefix = bits === undefined ? max : Number(bits);
  const fine =
    family !== 0 && extra === undefined && (bits === undefined || /^[0-9]+$/.test(bits)) && prefix <= max;
  return fine ? ok(value.trim()) : no('an IP address or a CIDR block such as 10.0.0.2/32');
});

export const sipUri: ValueKind<string> = kind('uri', (value) => {
  const uri = parseUri(value.trim());
  return uri !== undefined && isSipUri(uri)
    ? ok(value.trim())
    : no('a sip: or sips: URI such as sip:10.0.0.2:5060');
});

export const httpUrl: ValueKind<string> = kind('url', (value) => {
  const url = URL.canParse(value.trim()) ? new URL(value.trim()) : undefined;
  return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:')
    ? ok(value.trim())
    : no('an http:// or https:// URL');
});

const DOMAIN_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** A domain name (letters, digits, '-' and '.'), an IPv4 address or a bracketed IPv6 one (RFC 3261 §25.1 host). */
export const domainName: ValueKind<string> = kind('domain', (value) => {
  const host = value.trim();
  const ipv6 = host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6;
  return DOMAIN_NAME.test(host) || ipv6 ? ok(host) : no('a domain name such as example.com');
});

/** Several values of `item`: repeated on the command line, comma-separated elsewhere (SylkServer's lists). */
export function listOf<T>(item: ValueKind<T>): ValueKind<readonly T[]> {
  return {
    argument: item.argument,
    list: true,
    show: (values) => values.map(item.show).join(', '),
    parse: (value) => {
      const out: T[] = [];
      for (const part of value.split(',')) {
        if (part.trim() === '') continue;
        const parsed = item.parse(part);
        if (!parsed.ok) return no(`a comma-separated list, each ${parsed.expected}`);
        out.push(parsed.value);
      }
      return ok(out);
    },
  };
}

/** A setting with no value unless one is given. */
export function optional<T>(item: ValueKind<T>): ValueKind<T | undefined> {
  return {
    ...item,
    show: (value) => (value === undefined ? '' : item.show(value)),
    // An empty value (`advertise =`) leaves the setting unset, as SylkServer's `xcap_url =` does.
    parse: (value) => (value.trim() === '' ? ok(undefined) : item.parse(value)),
  };
}
