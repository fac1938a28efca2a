/**
 * A WebService on a real store (a fresh SQLite file or PostgreSQL schema from test/store/backends.ts), on
 * 127.0.0.1 and a free port, with a manual clock: the tests create storage accounts, tokens and journal
 * entries through the Store API and talk to the server over real HTTP.
 */
import { type ConformanceBackend, postgresBackend, sqliteBackend } from '../store/backends.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { UpgradeHandler } from '../../src/web/upgrades.js';
import { WebService } from '../../src/web/web-service.js';
import { ManualClock } from '../support/manual-clock.js';

export const T0 = 1_714_557_600_000; // 2024-05-01T10:00:00Z

export const BACKENDS: readonly {
  readonly name: string;
  readonly make: () => Promise<ConformanceBackend>;
}[] = [
  { name: 'SQLite', make: sqliteBackend },
  { name: 'PostgreSQL', make: postgresBackend },
];

export interface WebHarness {
  readonly store: Store;
  readonly clock: ManualClock;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startWeb(
  uri: string,
  options: {
    sip?: UpgradeHandler;
    tls?: { cert: Buffer; key: Buffer };
    onStarted?: (port: number) => void;
  } = {},
): Promise<WebHarness> {
  const store = await openStore(uri);
  const clock = new ManualClock(T0);
  const service = new WebService({
    store,
    clock,
    host: '127.0.0.1',
    port: 0,
    sip: options.sip,
    tls: options.tls,
  });
  const address = await service.start();
  return {
    store,
    clock,
    base: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${address.port}`,
    port: address.port,
    async close() {
      await service.stop();
      await store.close();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

export function apikey(token: string): { Authorization: string } {
  return { Authorization: `Apikey ${token}` };
}
