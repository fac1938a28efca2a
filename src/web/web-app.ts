/**
 * The JSON and text routes of missive's web port, as one Hono application: `GET /` (SylkServer's welcome
 * text), the web chat at `/chat/`, `/health`, the message history (sylk spec §4.1) and the journal cursor API. Every answer carries the
 * `Server` header; unknown paths are 404, and an exception in a route is a logged 500 (no route is meant
 * to throw: they answer 401, 400 or 503 themselves).
 */
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import { addFileTransferRoutes, type FileTransferRouteOptions } from './file-transfer-routes.js';
import { addHealthRoute, addReadyRoute } from './health.js';
import { addHistoryRoutes } from './history-routes.js';
import { addJournalRoutes } from './journal-routes.js';
import type { WebEnv } from './peer.js';
import { textReply } from './replies.js';
import type { TokenCheck } from './token-check.js';
import type { WebClientFiles } from './web-client-files.js';
import { addWebClientRoutes } from './web-client-routes.js';

export const WELCOME = 'Welcome to SylkServer!';

export interface WebAppOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** The history and journal API tokens' check (and its per-source failure limit). */
  readonly tokens: TokenCheck;
  /** The `Server` header, e.g. `SylkServer/6.6.1 missive/0.1.0`. */
  readonly serverHeader: string;
  readonly logger?: Logger | undefined;
  /** The history and journal pages' byte budget (default DEFAULT_PAGE_BYTES). */
  readonly maxPageBytes?: number | undefined;
  /** The file-transfer routes (sylk spec §4.3); undefined: none. */
  readonly fileTransfers?:
    | Omit<FileTransferRouteOptions, 'tokens' | 'clock' | 'logger' | 'serverHeader'>
    | undefined;
  /** GET /ready's answer (server/readiness.ts); undefined: no /ready route. */
  readonly ready?: (() => Promise<boolean>) | undefined;
  /** Told of each answered request: its route pattern (never the path, which names accounts) and status. */
  readonly onRequest?: ((route: string, status: number) => void) | undefined;
  /** The web chat's built files, served at /chat/ (issue 17); undefined: no web chat. */
  readonly webClient?: WebClientFiles | undefined;
}

export function createWebApp(options: WebAppOptions): Hono<WebEnv> {
  const { store, clock, tokens, logger } = options;
  const app = new Hono<WebEnv>();
  const onRequest = options.onRequest;
  app.use(async (c, next) => {
    await next();
    c.header('Server', options.serverHeader);
    if (onRequest !== undefined) {
      // The last matched pattern: this middleware's own ('/*') when no route matched.
      const route = routePath(c, -1);
      onRequest(route === '/*' ? 'unmatched' : route, c.res.status);
    }
  });
  app.get('/', (c) => c.body(WELCOME, 200, { 'Content-Type': 'text/plain; charset=utf-8' }));
  addHealthRoute(app, store.storageAccounts, clock);
  if (options.ready !== undefined) addReadyRoute(app, options.ready);
  const pages = { journal: store.journal, tokens, logger, maxPageBytes: options.maxPageBytes };
  addHistoryRoutes(app, pages);
  addJournalRoutes(app, pages);
  if (options.fileTransfers !== undefined)
    addFileTransferRoutes(app, {
      ...options.fileTransfers,
      tokens,
      clock,
      logger,
      serverHeader: options.serverHeader,
    });
  if (options.webClient !== undefined) addWebClientRoutes(app, options.webClient);
  app.notFound((c) => textReply(c, 404, 'Not Found'));
  app.onError((error, c) => {
    logger?.error({ err: error, path: c.req.path }, 'web route failed');
    return textReply(c, 500, 'Internal Server Error');
  });
  return app;
}
