/**
 * Address books on an XCAP server's REST API, as the reference uses it when `xcap_url` is set (sylk spec
 * §1.4.13): `GET {base}/api/v1/users/{account}/addressbook`, and per change `POST …/addressbook/{list}`,
 * `PUT …/{list}/{id}`, `DELETE …/{list}/{id}`, with the reference's headers and failure text. Where the
 * reference answers an unreachable server with an empty book (which a client then takes for "every contact
 * deleted"), missive answers an error and the client keeps what it has.
 */
import { readCapped } from '../../http/read-capped.js';
import type { Logger } from 'pino';
import type { ServiceResult } from '../service.js';
import { type AddressBook, type AddressBookChange, type AddressBookEntry, listKey } from './address-book.js';
import type { AddressBookBackend } from './address-book-backend.js';
import { readBookDocument } from './book-document.js';
import { checkEntry } from './entry-check.js';

export const DEFAULT_XCAP_TIMEOUT_MS = 10_000;
/** A book a server sends is read up to this many bytes; anything larger is refused, not buffered. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const UNAVAILABLE = { kind: 'unavailable', reason: 'Address book server unavailable' } as const;

export interface XcapAddressBooksOptions {
  /** The XCAP server's base URL, e.g. `https://xcap.example.com/xcap-root`. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly logger: Logger | undefined;
}

export class XcapAddressBooks implements AddressBookBackend {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;

  constructor(options: XcapAddressBooksOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_XCAP_TIMEOUT_MS;
    this.#logger = options.logger;
  }

  async fetch(account: string): Promise<ServiceResult<AddressBook>> {
    const answer = await this.#request('GET', this.#bookPath(account));
    if (answer === undefined) return { ok: false, refusal: UNAVAILABLE };
    if (answer.status !== 200) {
      this.#logger?.warn({ account, status: answer.status }, 'XCAP server refused an address book fetch');
      return { ok: false, refusal: UNAVAILABLE };
    }
    const read = readBookDocument(answer.body);
    if (!read.ok) {
      this.#logger?.warn({ account, problem: read.error }, 'XCAP server sent an unreadable address book');
      return { ok: false, refusal: UNAVAILABLE };
    }
    return { ok: true, value: read.book };
  }

  async change(account: string, change: AddressBookChange): Promise<ServiceResult<AddressBookEntry>> {
    const checked = checkEntry(change.type, change.data, change.action !== 'delete');
    if (!checked.ok) return { ok: false, refusal: { kind: 'invalid', reason: checked.error } };
    const list = `${this.#bookPath(account)}/${listKey(change.type)}`;
    const one = `${list}/${encodeURIComponent(checked.entry.id)}`;
    const answer =
      change.action === 'add'
        ? await this.#request('POST', list, checked.entry)
        : change.action === 'update'
          ? await this.#request('PUT', one, checked.entry)
          : await this.#request('DELETE', one);
    if (answer === undefined) return { ok: false, refusal: UNAVAILABLE };
    if (answer.status !== 200 && answer.status !== 204) {
      return {
        ok: false,
        refusal: { kind: 'invalid', reason: `Non-200 response: ${answer.status}, ${detailOf(answer.body)}` },
      };
    }
    return { ok: true, value: entryFromAnswer(answer.body, checked.entry) };
  }

  #bookPath(account: string): string {
    return `${this.#base}/api/v1/users/${encodeURIComponent(account)}/addressbook`;
  }

  async #request(
    method: string,
    url: string,
    body?: AddressBookEntry,
  ): Promise<{ status: number; body: string } | undefined> {
    try {
      const response = await fetch(url, {
        method,
        headers: {
          'User-Agent': 'SylkServer',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const answer = await readCapped(response, MAX_RESPONSE_BYTES);
      if (!answer.complete) {
        this.#logger?.warn({ url }, 'XCAP answer too large');
        return undefined;
      }
      return { status: response.status, body: answer.bytes.toString('utf8') };
    } catch (error) {
      this.#logger?.error({ err: error, method, url }, 'XCAP request failed');
      return undefined;
    }
  }
}

/** The server's `detail` when it sent one (a JSON error body), else its text, bounded. */
function detailOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'detail' in parsed) {
      return String(parsed.detail);
    }
  } catch {
    // Not JSON: the text itself.
  }
  return body.slice(0, 200);
}

/** The object as the server now keeps it when it sent one back, else what was sent. */
function entryFromAnswer(body: string, sent: AddressBookEntry): AddressBookEntry {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { id?: unknown }).id === 'string'
    ) {
      return parsed as AddressBookEntry;
    }
  } catch {
    // 204 or a body that is not the object: what was sent is what is kept.
  }
  return sent;
}
