/**
 * Guessing history API tokens against `missive serve` (security issue 10, point 9b): with the default limit
 * (20 failed checks a minute per source), the guesser's requests past it get 429 with Retry-After while
 * another source (127.0.0.2) still gets its normal answers, and the server's log holds a bounded number of
 * lines for the 200 failures: a limit line and one summary per source per interval (1 s here), whose
 * counts add up to every failure and refusal, where it used to write one line per failure.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateApiToken, openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { eventually } from '../support/wait.js';
import { Cleanup } from './harness/cleanup.js';

const DOMAIN = 'example.test';
const ACCOUNT = `alice@${DOMAIN}`;
const HISTORY = `/webrtcgateway/messages/history/${ACCOUNT}`;
const DEFAULT_MAX_FAILURES = 20;
const DEFAULT_BLOCK_SECONDS = 60;
const GUESSES = 200;
const LOG_INTERVAL_SECONDS = 1;

interface Reply {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

function get(port: number, token: string, localAddress: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Apikey ${token}` };
    const options = { host: '127.0.0.1', port, path: HISTORY, headers, localAddress, agent: false };
    const request = httpRequest(options, (response) => {
      response.resume();
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

interface Summary {
  readonly source: string;
  readonly failures: number;
  readonly refused: number;
}

function summaries(output: string, source: string): Summary[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"API token failures"'))
    .map((line) => JSON.parse(line) as Summary)
    .filter((line) => line.source === source);
}

const lineCount = (text: string): number => text.split('\n').length;

describe('missive: guessing history tokens', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let token: string;

  before(async () => {
    // A store with alice and her history token, made before the start (the server's only writer then).
    const dataDir = await mkdtemp(join(tmpdir(), 'missive-serve-'));
    const store = await openStore(`sqlite://${join(dataDir, 'missive.db')}`);
    await store.subscribers.add('alice', DOMAIN, 'secret');
    token = generateApiToken();
    await store.storageAccounts.setToken(ACCOUNT, token, Date.now());
    await store.close();
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [],
        dataDir,
        args: ['--token-failure-log-interval', String(LOG_INTERVAL_SECONDS)],
      }),
    );
  });
  after(() => peers.run());

  test(`after ${String(DEFAULT_MAX_FAILURES)} failures: 429 with Retry-After for that source only, and few log lines`, async () => {
    const port = missive.ports.ws;
    assert.equal((await get(port, token, '127.0.0.1')).status, 200, 'the token works before');
    const linesBefore = lineCount(missive.output);
    const started = Date.now();

    const statuses: number[] = [];
    for (let i = 0; i < GUESSES; i++) {
      const reply = await get(port, `guess-${String(i)}`, '127.0.0.1');
      statuses.push(reply.status);
      if (reply.status === 429) {
        const seconds = Number(reply.retryAfter);
        assert.ok(
          Number.isInteger(seconds) && seconds >= 1 && seconds <= DEFAULT_BLOCK_SECONDS,
          reply.retryAfter,
        );
      }
    }
    const expected = [
      ...Array<number>(DEFAULT_MAX_FAILURES).fill(401),
      ...Array<number>(GUESSES - DEFAULT_MAX_FAILURES).fill(429),
    ];
    assert.deepEqual(statuses, expected);
    assert.equal(
      (await get(port, token, '127.0.0.1')).status,
      429,
      'the limited source is not checked at all',
    );

    // Another source: its normal answers, its token works and a wrong one is a 401.
    assert.equal((await get(port, token, '127.0.0.2')).status, 200);
    assert.equal((await get(port, 'wrong', '127.0.0.2')).status, 401);

    // The positive sign that the log is complete: the summaries add up to every failure and refusal.
    await eventually(
      () => {
        const seen = summaries(missive.output, '127.0.0.1');
        const failures = seen.reduce((sum, line) => sum + line.failures, 0);
        const refused = seen.reduce((sum, line) => sum + line.refused, 0);
        return failures === DEFAULT_MAX_FAILURES && refused === GUESSES - DEFAULT_MAX_FAILURES + 1;
      },
      () => `the summaries to add up; so far: ${JSON.stringify(summaries(missive.output, '127.0.0.1'))}`,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    const added = lineCount(missive.output) - linesBefore;
    // One limit line, at most one summary per source per interval (two sources), and a little slack.
    const bound = 1 + 2 * (Math.ceil(elapsedSeconds / LOG_INTERVAL_SECONDS) + 1) + 3;
    assert.ok(
      added <= bound,
      `${String(added)} log lines for ${String(GUESSES)} failures (bound ${String(bound)})`,
    );
    assert.equal(
      missive.output.split('\n').filter((line) => line.includes('"msg":"API token failures: source limited"'))
        .length,
      1,
    );
  });
});
