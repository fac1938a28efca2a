/**
 * Checks shared by the providers' settings: a key given as PEM text or as a file path, an origin override,
 * bounded integers. Each problem names the setting, so that configuration errors say what to change.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface SettingProblem {
  /** The option's name in the provider's settings object (the configuration maps it to its INI key). */
  readonly setting: string;
  readonly message: string;
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly SettingProblem[] };

/** Reads a file's text; injectable so that tests and `config check` need no real files. */
export type ReadText = (path: string) => string;

export const readTextFile: ReadText = (path) => readFileSync(path, 'utf8');

/** Key and credential files are small; a bigger one is the wrong file. */
const MAX_KEY_FILE_CHARS = 65_536;

/** `value` is either the text itself (it starts with `-----BEGIN` or `{`) or the path of a file holding it. */
export function textOrFile(
  setting: string,
  value: string,
  readText: ReadText,
  problems: SettingProblem[],
): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    problems.push({ setting, message: 'is empty' });
    return undefined;
  }
  if (trimmed.startsWith('-----BEGIN') || trimmed.startsWith('{')) return trimmed;
  let text: string;
  try {
    text = readText(trimmed);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push({ setting, message: `cannot read the file ${trimmed} (${code})` });
    return undefined;
  }
  if (text.length > MAX_KEY_FILE_CHARS) {
    problems.push({
      setting,
      message: `the file ${trimmed} is over ${String(MAX_KEY_FILE_CHARS)} characters`,
    });
    return undefined;
  }
  return text;
}

export function privateKey(setting: string, pem: string, problems: SettingProblem[]): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    problems.push({ setting, message: 'is not a PEM private key' });
    return undefined;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * An origin (scheme, host, port; no path). https, or plain http to a loopback host when `allowHttp` (for a
 * local stand-in: a token or message sent in clear must never leave the machine).
 */
export function checkOrigin(
  setting: string,
  value: string,
  allowHttp: boolean,
  problems: SettingProblem[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ setting, message: `${value} is not a URL` });
    return undefined;
  }
  const loopbackHttp = allowHttp && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    problems.push({
      setting,
      message: `${value} must be an https URL${allowHttp ? ' (http only to a loopback host)' : ''}`,
    });
    return undefined;
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    problems.push({ setting, message: `${value} must be an origin only (scheme, host and port)` });
    return undefined;
  }
  return url.origin;
}

export function boundedInteger(
  setting: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: SettingProblem[],
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({ setting, message: `must be a whole number from ${String(min)} to ${String(max)}` });
    return fallback;
  }
  return value;
}

/** Problems as one message per line, for a CLI or a log. */
export function describeProblems(problems: readonly SettingProblem[]): string {
  return problems.map((p) => `${p.setting}: ${p.message}`).join('\n');
}
