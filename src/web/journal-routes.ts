/**
 * GET /webrtcgateway/messages/journal/{account}[?after=CURSOR|before=CURSOR][&limit=N]: the journal by
 * opaque cursors, which never cuts a page silently (sylk spec §8.8, §8.26). Same `Apikey` token as the history.
 *
 * * no cursor: the newest `limit` entries; `has_more`: older entries exist, continue with `before=<next>`.
 * * `before=C`: the newest `limit` entries before C; same `next`/`has_more` meaning.
 * * `after=C`: the oldest `limit` entries after C; `has_more`: newer entries exist, continue with
 *   `after=<next>` (also when the page is empty: `next` is where new entries will appear).
 *
 * Entries are always oldest first, each the history's Message object plus its own `cursor`. A cursor is
 * the journal's position token (`j` and a base-36 sequence number); it names no account, so one account's
 * cursor reads nothing of another's. Bad parameters: 400 with a message saying which and why.
 *
 * A page also stops before its body would pass the byte budget (sylk spec §8.41; one larger entry still comes alone):
 * `has_more` is then true and `next` continues right where the page stopped, in the page's direction.
 */
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { decodeCursor } from '../store/journal/cursor.js';
import type { JournalStore } from '../store/journal/journal-store.js';
import type { JournalEntry, JournalPage, ReadBounds } from '../store/journal/types.js';
import { accountOfPath } from './account.js';
import { streamJson } from './json-body.js';
import { journalMessage } from '../messaging/sync-page.js';
import { contentBound, DEFAULT_PAGE_BYTES, fitPage } from './page-budget.js';
import { type WebEnv, peerAddress } from './peer.js';
import { textReply, tooManyRequests, unauthorized, unavailable } from './replies.js';
import type { TokenCheck } from './token-check.js';

export const JOURNAL_PATH = '/webrtcgateway/messages/journal';
export const DEFAULT_JOURNAL_LIMIT = 100;
export const MAX_JOURNAL_LIMIT = 5000;

export interface JournalRouteOptions {
  readonly journal: JournalStore;
  readonly tokens: TokenCheck;
  readonly logger?: Logger | undefined;
  /** A page's body stays within this many bytes (but for one larger entry alone). Default 8 MiB. */
  readonly maxPageBytes?: number | undefined;
}

/** The longest tail a page can have: a cursor is at most 12 characters (cursor.ts). */
const TAIL_BOUND = Buffer.byteLength(tail('j'.padEnd(12, 'z'), false));

function tail(next: string, hasMore: boolean): string {
  return `],"next":${JSON.stringify(next)},"has_more":${String(hasMore)}}`;
}

type PageRequest =
  | { readonly kind: 'latest'; readonly limit: number }
  | { readonly kind: 'before' | 'after'; readonly cursor: string; readonly limit: number };

export function addJournalRoutes(app: Hono<WebEnv>, options: JournalRouteOptions): void {
  const path = `${JOURNAL_PATH}/:account`;
  app.get(path, (c) => journalPage(c, options));
  app.all(path, (c) => textReply(c, 405, 'Method Not Allowed'));
}

async function journalPage(c: Context<WebEnv>, options: JournalRouteOptions): Promise<Response> {
  const account = accountOfPath(c.req.param('account') ?? '');
  // Credentials first: a stranger learns nothing, not even which parameters are wrong.
  const verdict = await options.tokens.check(peerAddress(c), account, c.req.header('Authorization'));
  if (verdict.kind === 'limited') return tooManyRequests(c, verdict.retryAfterSeconds);
  if (verdict.kind === 'denied' || account === undefined) return unauthorized(c);
  if (verdict.kind === 'unavailable') return unavailable(c);
  const request = parsePageRequest(c.req.queries());
  if (typeof request === 'string') return textReply(c, 400, `${request}\n`);
  // The body is what JSON.stringify({account, entries, next, has_more}) gives, its entries sent as they go.
  const head = `{"account":${JSON.stringify(account)},"entries":[`;
  const budget = options.maxPageBytes ?? DEFAULT_PAGE_BYTES;
  const fixedBytes = Buffer.byteLength(head) + TAIL_BOUND;
  let page: JournalPage;
  try {
    page = await read(options.journal, account, request, {
      maxContentBytes: contentBound(budget, fixedBytes),
    });
  } catch (error) {
    options.logger?.warn({ account, err: error }, 'journal query failed');
    return unavailable(c);
  }
  // Forward pages keep their oldest entries, backward ones their newest: next is where the cut is.
  const keep = request.kind === 'after' ? 'first' : 'last';
  const fitted = fitPage(page.entries, serialise, { budget, fixedBytes, keep });
  const kept = keep === 'first' ? page.entries.at(fitted.chunks.length - 1) : page.entries[fitted.dropped];
  const cut = fitted.dropped > 0 && kept !== undefined;
  return streamJson(c, head, fitted.chunks, tail(cut ? kept.cursor : page.next, cut || page.hasMore));
}

function serialise(entry: JournalEntry): string {
  return JSON.stringify({ cursor: entry.cursor, ...journalMessage(entry) });
}

function read(
  journal: JournalStore,
  account: string,
  request: PageRequest,
  bounds: ReadBounds,
): Promise<JournalPage> {
  switch (request.kind) {
    case 'latest':
      return journal.latest(account, request.limit, bounds);
    case 'before':
      return journal.before(account, request.cursor, request.limit, bounds);
    case 'after':
      return journal.after(account, request.cursor, request.limit, bounds);
  }
}

/** The page asked for, or what is wrong with the query. */
export function parsePageRequest(query: Record<string, string[]>): PageRequest | string {
  for (const [name, values] of Object.entries(query)) {
    if (!['after', 'before', 'limit'].includes(name))
      return `unknown parameter ${name} (after, before, limit)`;
    if (values.length > 1) return `${name} is given more than once`;
  }
  const after = query.after?.[0];
  const before = query.before?.[0];
  const limitText = query.limit?.[0];
  if (after !== undefined && before !== undefined) return 'give after or before, not both';
  let limit = DEFAULT_JOURNAL_LIMIT;
  if (limitText !== undefined) {
    limit = /^[0-9]{1,5}$/.test(limitText) ? Number(limitText) : 0;
    if (limit < 1 || limit > MAX_JOURNAL_LIMIT)
      return `limit must be an integer from 1 to ${MAX_JOURNAL_LIMIT}`;
  }
  const cursor = after ?? before;
  if (cursor === undefined) return { kind: 'latest', limit };
  const name = after === undefined ? 'before' : 'after';
  try {
    decodeCursor(cursor);
  } catch {
    return `${name} is not a journal cursor (use the next value of an earlier page)`;
  }
  return { kind: name, cursor, limit };
}
