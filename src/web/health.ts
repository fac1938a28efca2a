/**
 * GET /health: 200 `{"status":"ok"}` when the store answers a trivial read within a second, else 503
 * `{"status":"unavailable"}`, for load balancers and systemd watchdogs. Reveals nothing about accounts.
 * GET /ready (when the server gives a readiness check): 200 `{"status":"ready"}` once every listener is
 * up and while the store answers, else 503 `{"status":"not ready"}` (starting, stopping, or no store).
 */
import type { Env, Hono } from 'hono';
import type { StorageAccountStore } from '../store/storage-accounts/storage-account-store.js';
import type { Clock } from '../time/clock.js';

const PROBE_ACCOUNT = 'health-probe@missive.invalid';
const PROBE_TIMEOUT_MS = 1000;

export function addHealthRoute<E extends Env>(
  app: Hono<E>,
  accounts: StorageAccountStore,
  clock: Clock,
): void {
  app.get('/health', async (c) => {
    const healthy = await storeAnswers(accounts, clock);
    return c.body(JSON.stringify({ status: healthy ? 'ok' : 'unavailable' }), healthy ? 200 : 503, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  });
}

export function addReadyRoute<E extends Env>(app: Hono<E>, ready: () => Promise<boolean>): void {
  app.get('/ready', async (c) => {
    const isReady = await ready();
    return c.body(JSON.stringify({ status: isReady ? 'ready' : 'not ready' }), isReady ? 200 : 503, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
    });
  });
}

/** The store answers a trivial read within a second (never rejects). */
export function storeAnswers(accounts: StorageAccountStore, clock: Clock): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.schedule(PROBE_TIMEOUT_MS, () => {
      resolve(false);
    });
    accounts.get(PROBE_ACCOUNT).then(
      () => {
        timer.cancel();
        resolve(true);
      },
      () => {
        timer.cancel();
        resolve(false);
      },
    );
  });
}
