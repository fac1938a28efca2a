/** The admin API (admin-app.ts) on its own plain HTTP listener, as `missive serve --admin-port` runs it. */
import type { Logger } from 'pino';
import type { PushTokenStore } from '../store/push-tokens/push-token-store.js';
import { createAdminApp } from './admin-app.js';
import { type WebAddress, WebServer } from './http-server.js';
import { SERVER_HEADER } from './web-service.js';

export const DEFAULT_ADMIN_HOST = '127.0.0.1';

export interface AdminServiceOptions {
  readonly pushTokens: PushTokenStore;
  readonly host?: string | undefined;
  readonly port: number;
  /** The Authorization value required (admin-app.ts); there is no unauthenticated admin API. */
  readonly secret: string;
  readonly logger?: Logger | undefined;
}

export class AdminService {
  readonly #options: AdminServiceOptions;
  readonly #server: WebServer;

  constructor(options: AdminServiceOptions) {
    this.#options = options;
    const logger = options.logger?.child({ component: 'admin' });
    const app = createAdminApp({
      pushTokens: options.pushTokens,
      secret: options.secret,
      serverHeader: SERVER_HEADER,
      logger,
    });
    // No WebSocket application here: every upgrade is refused.
    this.#server = new WebServer({ fetch: (request) => app.fetch(request), upgrades: {}, logger });
  }

  start(): Promise<WebAddress> {
    return this.#server.listen(this.#options.host ?? DEFAULT_ADMIN_HOST, this.#options.port);
  }

  stop(): Promise<void> {
    return this.#server.close();
  }
}
