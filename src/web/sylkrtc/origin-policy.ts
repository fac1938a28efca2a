/**
 * The WebSocket Origin policy of sylk spec §1.1 (`web_origins`): a request without an Origin header (a
 * native or Node client) is not checked; `*` allows any origin; other patterns match the whole Origin, a `*`
 * in them standing for any run of characters (`https://*.example.com`); the literal Origin `null` (sandboxed
 * frames, file: pages) is allowed only when the list is exactly `*`.
 */
export class OriginPolicy {
  readonly #anyOrigin: boolean;
  readonly #onlyAny: boolean;
  readonly #patterns: readonly RegExp[];

  constructor(patterns: readonly string[]) {
    this.#anyOrigin = patterns.includes('*');
    this.#onlyAny = patterns.length === 1 && patterns[0] === '*';
    this.#patterns = patterns.filter((pattern) => pattern !== '*').map(patternRegExp);
  }

  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    if (origin === 'null') return this.#onlyAny;
    if (this.#anyOrigin) return true;
    return this.#patterns.some((pattern) => pattern.test(origin));
  }
}

function patternRegExp(pattern: string): RegExp {
  const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 'i');
}
