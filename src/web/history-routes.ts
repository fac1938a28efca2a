/**
 * GET /webrtcgateway/messages/history/{account}[/{msg_id}] (sylk spec §4.1): after a valid `Apikey` token of the
 * account, the first 5000 journal entries after `msg_id` (from the start when it is absent or unknown, the
 * file backend's rule of sylk spec §3.6), oldest first, as `{"account", "messages"}`. OPTIONS is the same handler (so
 * a preflight without credentials is 401, and no CORS headers are sent, sylk spec §4.6); other methods 405.
 *
 * Two headers, which old clients ignore, say what the body alone cannot (sylk spec §8.8, §8.26): `X-Missive-Has-More:
 * true` when more entries follow the 5000 (page on with the last message_id, or use the journal API), and
 * `X-Missive-Unknown-Message-Id: true` when msg_id is not in the journal and the answer starts from the
 * beginning.
 *
 * A page also stops before the body would pass its byte budget (sylk spec §8.41; one larger entry still comes alone),
 * with the same `X-Missive-Has-More`: the store reads only what can fit, and the body is streamed.
 */
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { InvalidInputError } from '../store/errors.js';
import type { JournalStore } from '../store/journal/journal-store.js';
import type { HistoryPage, HistoryQuery } from '../store/journal/types.js';
import { accountOfPath } from './account.js';
import { streamJson } from './json-body.js';
import { journalMessage } from '../messaging/sync-page.js';
import { contentBound, DEFAULT_PAGE_BYTES, fitPage } from './page-budget.js';
import { type WebEnv, peerAddress } from './peer.js';
import { textReply, tooManyRequests, unauthorized, unavailable } from './replies.js';
import type { TokenCheck } from './token-check.js';

export const HISTORY_PATH = '/webrtcgateway/messages/history';
/** The reference's page (sylk spec §4.1). */
export const HISTORY_LIMIT = 5000;

export interface HistoryRouteOptions {
  readonly journal: JournalStore;
  readonly tokens: TokenCheck;
  readonly logger?: Logger | undefined;
  /** A page's body stays within this many bytes (but for one larger entry alone). Default 8 MiB. */
  readonly maxPageBytes?: number | undefined;
  /** Entries per page: the reference's 5000 unless a test says otherwise. */
  readonly pageLimit?: number | undefined;
}

export function addHistoryRoutes(app: Hono<WebEnv>, options: HistoryRouteOptions): void {
  const handler = (c: Context<WebEnv>): Promise<Response> => history(c, options);
  for (const path of [`${HISTORY_PATH}/:account`, `${HISTORY_PATH}/:account/:messageId`]) {
    app.on(['GET', 'OPTIONS'], path, handler);
    app.all(path, (c) => textReply(c, 405, 'Method Not Allowed'));
  }
}

async function history(c: Context<WebEnv>, options: HistoryRouteOptions): Promise<Response> {
  const account = accountOfPath(c.req.param('account') ?? '');
  // A refusal is logged by the token check, in aggregate: never a line per request (security issue 10).
  const verdict = await options.tokens.check(peerAddress(c), account, c.req.header('Authorization'));
  if (verdict.kind === 'limited') return tooManyRequests(c, verdict.retryAfterSeconds);
  if (verdict.kind === 'denied' || account === undefined) return unauthorized(c);
  if (verdict.kind === 'unavailable') return unavailable(c);
  // The body is head + messages joined by commas + tail: what JSON.stringify({account, messages}) gives.
  const head = `{"account":${JSON.stringify(account)},"messages":[`;
  const tail = ']}';
  const budget = options.maxPageBytes ?? DEFAULT_PAGE_BYTES;
  const fixedBytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  const bounds = {
    limit: options.pageLimit ?? HISTORY_LIMIT,
    maxContentBytes: contentBound(budget, fixedBytes),
  };
  let page: HistoryPage;
  try {
    page = await query(options.journal, account, c.req.param('messageId'), bounds);
  } catch (error) {
    options.logger?.warn({ account, err: error }, 'history query failed');
    return unavailable(c);
  }
  const fitted = fitPage(page.entries, (entry) => JSON.stringify(journalMessage(entry)), {
    budget,
    fixedBytes,
    keep: 'first',
  });
  const more = page.hasMore || fitted.dropped > 0;
  if (more) c.header('X-Missive-Has-More', 'true');
  if (page.unknownMessageId) c.header('X-Missive-Unknown-Message-Id', 'true');
  options.logger?.debug({ account, count: fitted.chunks.length, more }, 'history served');
  return streamJson(c, head, fitted.chunks, tail);
}

/** A msg_id the store rejects as malformed (too long…) cannot be in the journal: unknown, like any other. */
async function query(
  journal: JournalStore,
  account: string,
  messageId: string | undefined,
  bounds: Omit<HistoryQuery, 'messageId' | 'since'>,
): Promise<HistoryPage> {
  try {
    return await journal.history(account, { ...bounds, messageId: messageId ?? null });
  } catch (error) {
    if (!(error instanceof InvalidInputError) || error.field !== 'messageId') throw error;
    const page = await journal.history(account, { ...bounds, messageId: null });
    return { ...page, unknownMessageId: true };
  }
}
