// Failed API-token checks over real HTTP, on a manual clock: per source, a limit answered 429 with
// Retry-After on the history and journal routes; other sources unaffected; failures logged in aggregate.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { generateApiToken, openStore, type Store } from '../../src/store/index.js';
import type { StorageAccountStore } from '../../src/store/storage-accounts/storage-account-store.js';
import { SourceFailureLimiter } from '../../src/web/failure-gate.js';
import { TokenCheck } from '../../src/web/token-check.js';
import { TokenFailureLog } from '../../src/web/token-failure-log.js';
import { WebService } from '../../src/web/web-service.js';
import { ManualClock } from '../support/manual-clock.js';
import { type ConformanceBackend, sqliteBackend } from '../store/backends.js';
import { ALICE } from '../store/journal-entries.js';
import { T0 } from './harness.js';

const HISTORY = `/webrtcgateway/messages/history/${ALICE}`;
const JOURNAL = `/webrtcgateway/messages/journal/${ALICE}`;
const LIMITS = { maxFailures: 3, windowSeconds: 60, blockSeconds: 30, logIntervalSeconds: 10 };

interface Reply {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

/** A GET from `localAddress` (127.0.0.x: a source of its own). */
function get(port: number, path: string, token: string | undefined, localAddress: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { Authorization: `Apikey ${token}` };
    const request = httpRequest(
      { host: '127.0.0.1', port, path, headers, localAddress, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter });
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}

interface Line {
  readonly msg: string;
  readonly [field: string]: unknown;
}

describe('API token failures per source', () => {
  let backend: ConformanceBackend;
  let store: Store;
  let clock: ManualClock;
  let web: WebService;
  let port: number;
  let token: string;
  const lines: Line[] = [];

  before(async () => {
    backend = await sqliteBackend();
    store = await openStore((await backend.fresh()).uri);
    clock = new ManualClock(T0);
    token = generateApiToken();
    await store.storageAccounts.setToken(ALICE, token, T0);
    const logger = pino({ level: 'info' }, { write: (text: string) => lines.push(JSON.parse(text) as Line) });
    web = new WebService({ store, clock, host: '127.0.0.1', port: 0, logger, tokenFailures: LIMITS });
    port = (await web.start()).port;
  });
  after(async () => {
    await web.stop();
    await store.close();
    await backend.close();
  });

  test('after the limit a source gets 429 with Retry-After, even with a good token; others do not', async () => {
    const attacker = '127.0.0.1';
    for (let i = 0; i < LIMITS.maxFailures; i++) {
      const path = i === 1 ? JOURNAL : HISTORY;
      assert.equal(
        (await get(port, path, `guess${String(i)}`, attacker)).status,
        401,
        `failure ${String(i)}`,
      );
    }
    for (const path of [HISTORY, JOURNAL, `${HISTORY}/some-id`]) {
      assert.deepEqual(await get(port, path, 'guess', attacker), { status: 429, retryAfter: '30' }, path);
      assert.deepEqual(
        await get(port, path, token, attacker),
        { status: 429, retryAfter: '30' },
        'not checked',
      );
    }
    const neighbour = '127.0.0.2';
    assert.equal((await get(port, HISTORY, token, neighbour)).status, 200, 'another source: its token works');
    assert.equal((await get(port, JOURNAL, 'guess', neighbour)).status, 401, 'and a wrong one is its 401');

    clock.advance(12_000);
    assert.deepEqual(await get(port, HISTORY, token, attacker), { status: 429, retryAfter: '18' });
    clock.advance(18_000);
    assert.equal((await get(port, HISTORY, token, attacker)).status, 200, 'the limit is over');
  });

  test('the failures are logged as a limit line and one summary per source, not a line each', () => {
    const about = lines.filter((line) => line.msg.startsWith('API token failures'));
    // The limit line at once; the summaries when the 10 s interval of the test above ended (the clock
    // passed it at +12 s).
    assert.deepEqual(
      about.map(({ msg, source, failures, refused, blockSeconds }) => ({
        msg,
        source,
        failures,
        refused,
        blockSeconds,
      })),
      [
        {
          msg: 'API token failures: source limited',
          source: '127.0.0.1',
          blockSeconds: 30,
          failures: undefined,
          refused: undefined,
        },
        { msg: 'API token failures', source: '127.0.0.1', failures: 3, refused: 6, blockSeconds: undefined },
        { msg: 'API token failures', source: '127.0.0.2', failures: 1, refused: 0, blockSeconds: undefined },
        // The request refused at +12 s: its own summary an interval later (it fired at +22 s).
        { msg: 'API token failures', source: '127.0.0.1', failures: 0, refused: 1, blockSeconds: undefined },
      ],
    );
    assert.deepEqual(
      lines.filter((line) => !line.msg.startsWith('API token failures')).map((line) => line.msg),
      [],
      'and no line per request',
    );
  });
});

describe('TokenCheck', () => {
  /** A token store that counts its queries; every token but `good` is wrong, `broken` makes it fail. */
  function countingAccounts(): { accounts: StorageAccountStore; queries: () => number } {
    let queries = 0;
    const unused = (): Promise<never> => Promise.reject(new Error('not used by the token check'));
    const accounts: StorageAccountStore = {
      touch: unused,
      get: unused,
      remove: unused,
      setToken: unused,
      removeToken: unused,
      accountForToken: unused,
      verifyToken: (_account, token) => {
        queries++;
        if (token === 'broken') return Promise.reject(new Error('store down'));
        return Promise.resolve(token === 'good');
      },
    };
    return { accounts, queries: () => queries };
  }

  test('a limited source is answered without a store query; a store failure is no client failure', async () => {
    const clock = new ManualClock();
    const { accounts, queries } = countingAccounts();
    const gate = new SourceFailureLimiter(clock, { maxFailures: 2 });
    const check = new TokenCheck({ accounts, clock, gate, failures: new TokenFailureLog({ clock }) });
    const apikey = (token: string): string => `Apikey ${token}`;
    assert.deepEqual(await check.check('192.0.2.1', ALICE, apikey('broken')), { kind: 'unavailable' });
    assert.deepEqual(await check.check('192.0.2.1', ALICE, apikey('broken')), { kind: 'unavailable' });
    assert.deepEqual(gate.check('192.0.2.1'), { kind: 'open' }, 'unavailable is not counted');
    assert.deepEqual(await check.check('192.0.2.1', ALICE, apikey('good')), { kind: 'allowed' });
    // No credentials and no account in the path are failures too, without a query.
    assert.deepEqual(await check.check('192.0.2.1', ALICE, undefined), { kind: 'denied' });
    assert.deepEqual(await check.check('192.0.2.1', undefined, apikey('good')), { kind: 'denied' });
    assert.equal(queries(), 3);
    assert.deepEqual(await check.check('192.0.2.1', ALICE, apikey('good')), {
      kind: 'limited',
      retryAfterSeconds: 60,
    });
    assert.equal(queries(), 3, 'no query for a limited source');
    assert.deepEqual(
      await check.check('::ffff:192.0.2.1', ALICE, apikey('good')),
      {
        kind: 'limited',
        retryAfterSeconds: 60,
      },
      'the same source over IPv4-mapped IPv6',
    );
    assert.deepEqual(await check.check('192.0.2.2', ALICE, apikey('good')), { kind: 'allowed' });
  });
});
