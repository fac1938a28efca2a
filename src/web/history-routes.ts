/**
 * GET /webrtcgateway/messages/history/{account}[/{msg_id}] (spec §4.1): after a valid `Apikey` token of the
 * account, the first 5000 journal entries after `msg_id` (from the start when it is absent or unknown, the
 * file backend's rule of §3.6), oldest first, as `{"account", "messages"}`. OPTIONS is the same handler (so
 * a preflight without credentials is 401, and no CORS headers are sent, §4.6); other methods 405.
 *
 * Two headers, which old clients ignore, say what the body alone cannot (§8.8, §8.26): `X-Missive-Has-More:
 * true` when more entries follow the 5000 (page on with the last message_id, or use the journal API), and
 * `X-Missive-Unknown-Message-Id: true` when msg_id is not in the journal and the answer starts from the
 * beginning.
 */
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { InvalidInputError } from '../store/errors.js';
import type { JournalStore } from '../store/journal/journal-store.js';
import type { HistoryPage } from '../store/journal/types.js';
import { accountOfPath } from './account.js';
import { messageJson } from './message-json.js';
import { json, text, unauthorized, unavailable } from './replies.js';
import type { TokenCheck } from './token-check.js';

export const HISTORY_PATH = '/webrtcgateway/messages/history';
/** The reference's page (spec §4.1). */
export const HISTORY_LIMIT = 5000;

export interface HistoryRouteOptions {
  readonly journal: JournalStore;
  readonly tokens: TokenCheck;
  readonly logger?: Logger | undefined;
}

export function addHistoryRoutes(app: Hono, options: HistoryRouteOptions): void {
  const handler = (c: Context): Promise<Response> => history(c, options);
  for (const path of [`${HISTORY_PATH}/:account`, `${HISTORY_PATH}/:account/:messageId`]) {
    app.on(['GET', 'OPTIONS'], path, handler);
    app.all(path, (c) => text(c, 405, 'Method Not Allowed'));
  }
}

async function history(c: Context, options: HistoryRouteOptions): Promise<Response> {
  const account = accountOfPath(c.req.param('account') ?? '');
  if (account === undefined) return unauthorized(c);
  const verdict = await options.tokens.check(account, c.req.header('Authorization'));
  if (verdict === 'denied') {
    options.logger?.info({ account }, 'history request refused');
    return unauthorized(c);
  }
  if (verdict === 'unavailable') return unavailable(c);
  let page: HistoryPage;
  try {
    page = await query(options.journal, account, c.req.param('messageId'));
  } catch (error) {
    options.logger?.warn({ account, err: String(error) }, 'history query failed');
    return unavailable(c);
  }
  if (page.hasMore) c.header('X-Missive-Has-More', 'true');
  if (page.unknownMessageId) c.header('X-Missive-Unknown-Message-Id', 'true');
  options.logger?.debug({ account, count: page.entries.length, more: page.hasMore }, 'history served');
  return json(c, { account, messages: page.entries.map(messageJson) });
}

/** A msg_id the store rejects as malformed (too long…) cannot be in the journal: unknown, like any other. */
async function query(
  journal: JournalStore,
  account: string,
  messageId: string | undefined,
): Promise<HistoryPage> {
  try {
    return await journal.history(account, { messageId: messageId ?? null, limit: HISTORY_LIMIT });
  } catch (error) {
    if (!(error instanceof InvalidInputError) || error.field !== 'messageId') throw error;
    const page = await journal.history(account, { messageId: null, limit: HISTORY_LIMIT });
    return { ...page, unknownMessageId: true };
  }
}
