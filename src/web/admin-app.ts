/**
 * The admin API (sylk spec §4.5), on its own listener (loopback by default): `GET /tokens/{account}` lists the
 * account's push tokens keyed `{app}-{device}`; `DELETE /tokens/{account}/{device_token}` removes the
 * account's tokens whose token (or background token) is `device_token` and answers `{"success": true}` —
 * the reference's intended behaviour, where it always fails with 500 (sylk spec §8.28); none matching is a 404.
 * `Authorization` must equal the secret exactly (compared in constant time) or the answer is 403
 * `Authentication error`, as the reference answers a missing or wrong one. Unlike the reference, there is no
 * unauthenticated mode (sylk spec §8.38): the secret is required (admin-secret.ts finds or makes one).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { PushToken, PushTokenStore } from '../store/push-tokens/push-token-store.js';
import { accountOfPath } from './account.js';
import { json, textReply, unavailable } from './replies.js';

export interface AdminAppOptions {
  readonly pushTokens: PushTokenStore;
  /** The exact Authorization value required (not empty). */
  readonly secret: string;
  readonly serverHeader: string;
  readonly logger?: Logger | undefined;
}

export interface AdminTokenJson {
  readonly device_id: string;
  readonly token: string;
  readonly platform: string;
  /** `"0"`/`"1"` as the reference stores pn_silent (sylk spec §3.9). */
  readonly silent: string;
  readonly app_id: string;
  readonly background_token: string | null;
  readonly user_agent?: string;
}

export function createAdminApp(options: AdminAppOptions): Hono {
  const { pushTokens, logger } = options;
  const app = new Hono();
  if (options.secret === '') throw new RangeError('the admin API needs a secret');
  const secret = digest(options.secret);
  app.use(async (c, next) => {
    const given = c.req.header('Authorization');
    if (given === undefined || !timingSafeEqual(digest(given), secret)) {
      c.header('Server', options.serverHeader);
      return c.body('Authentication error', 403, { 'Content-Type': 'text/plain; charset=utf-8' });
    }
    await next();
    c.header('Server', options.serverHeader);
    return undefined;
  });
  app.get('/tokens/:account', async (c) => {
    const account = accountOf(c);
    if (account === undefined) return textReply(c, 400, 'not an account (user@domain)\n');
    let tokens: PushToken[];
    try {
      tokens = await pushTokens.list(account);
    } catch (error) {
      logger?.warn({ account, err: error }, 'admin token listing failed');
      return unavailable(c);
    }
    return json(c, {
      tokens: Object.fromEntries(tokens.map((t) => [`${t.appId}-${t.deviceId}`, tokenJson(t)])),
    });
  });
  app.delete('/tokens/:account/:deviceToken', async (c) => {
    const account = accountOf(c);
    if (account === undefined) return textReply(c, 400, 'not an account (user@domain)\n');
    const wanted = c.req.param('deviceToken');
    try {
      const matching = (await pushTokens.list(account)).filter(
        (t) => t.token === wanted || t.backgroundToken === wanted,
      );
      if (matching.length === 0)
        return c.body(JSON.stringify({ success: false, error: 'no such token' }), 404, {
          'Content-Type': 'application/json',
        });
      for (const t of matching) await pushTokens.remove(account, t.appId, t.deviceId);
      logger?.info({ account, removed: matching.length }, 'admin removed push tokens');
      return json(c, { success: true });
    } catch (error) {
      logger?.warn({ account, err: error }, 'admin token removal failed');
      return unavailable(c);
    }
  });
  app.notFound((c) => textReply(c, 404, 'Not Found'));
  app.onError((error, c) => {
    logger?.error({ err: error }, 'admin route failed');
    return textReply(c, 500, 'Internal Server Error');
  });
  return app;
}

function accountOf(c: Context): string | undefined {
  return accountOfPath(c.req.param('account') ?? '');
}

export function tokenJson(token: PushToken): AdminTokenJson {
  return {
    device_id: token.deviceId,
    token: token.token,
    platform: token.platform,
    silent: token.silent ? '1' : '0',
    app_id: token.appId,
    background_token: token.backgroundToken ?? null,
    ...(token.userAgent === undefined ? {} : { user_agent: token.userAgent }),
  };
}

/** Equal-length digests, so that timingSafeEqual compares secrets of any length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
