// Failed token checks logged in aggregate: one summary per source per interval, a line when a limit starts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { TokenFailureLog } from '../../src/web/token-failure-log.js';
import { ManualClock } from '../support/manual-clock.js';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

function capture(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino(
    { level: 'info', base: null, timestamp: false },
    {
      write: (text: string) => {
        lines.push(JSON.parse(text) as Line);
      },
    },
  );
  return { logger, lines };
}

function strip(line: Line): Omit<Line, 'level'> {
  const { level, ...rest } = line;
  assert.equal(level, 30, 'info');
  return rest;
}

describe('TokenFailureLog', () => {
  test('thousands of failures from one source are one line per interval, with the first accounts tried', () => {
    const clock = new ManualClock();
    const { logger, lines } = capture();
    const log = new TokenFailureLog({ clock, logger, intervalSeconds: 60 });
    for (let i = 0; i < 5000; i++) log.failed('192.0.2.1', `user${String(i % 5)}@example.com`);
    for (let i = 0; i < 7; i++) log.refused('192.0.2.1');
    log.failed('192.0.2.2', undefined);
    assert.equal(lines.length, 0, 'nothing before the interval is over');
    clock.advance(59_999);
    assert.equal(lines.length, 0);
    clock.advance(1);
    assert.deepEqual(lines.map(strip), [
      {
        msg: 'API token failures',
        source: '192.0.2.1',
        failures: 5000,
        refused: 7,
        accounts: ['user0@example.com', 'user1@example.com', 'user2@example.com'],
        intervalSeconds: 60,
      },
      {
        msg: 'API token failures',
        source: '192.0.2.2',
        failures: 1,
        refused: 0,
        accounts: [],
        intervalSeconds: 60,
      },
    ]);
    assert.equal(clock.pending, 0, 'no timer while nothing is pending');
  });

  test('summaries of a source are at least an interval apart', () => {
    const clock = new ManualClock();
    const { logger, lines } = capture();
    const log = new TokenFailureLog({ clock, logger, intervalSeconds: 10 });
    log.failed('a', undefined);
    clock.advance(10_000);
    assert.equal(lines.length, 1);
    clock.advance(3000);
    log.failed('a', undefined);
    clock.advance(9999);
    assert.equal(lines.length, 1, 'the next summary waits a whole interval');
    clock.advance(1);
    assert.equal(lines.length, 2);
  });

  test('a limit that starts is said at once, as a warning', () => {
    const clock = new ManualClock();
    const { logger, lines } = capture();
    const log = new TokenFailureLog({ clock, logger });
    log.limitStarted('a', 60);
    assert.deepEqual(lines, [
      { level: 40, msg: 'API token failures: source limited', source: 'a', blockSeconds: 60 },
    ]);
  });

  test('close() writes what is pending and stops the timer', () => {
    const clock = new ManualClock();
    const { logger, lines } = capture();
    const log = new TokenFailureLog({ clock, logger });
    log.refused('a');
    log.close();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.refused, 1);
    assert.equal(clock.pending, 0);
  });

  test('past maxSources, further sources are summed into one line', () => {
    const clock = new ManualClock();
    const { logger, lines } = capture();
    const log = new TokenFailureLog({ clock, logger, maxSources: 2 });
    for (const source of ['a', 'b', 'c', 'd', 'e']) log.failed(source, `x@${source}.example`);
    log.refused('e');
    log.failed('a', undefined);
    log.close();
    assert.deepEqual(
      lines.map((line) => [line.source, line.failures, line.refused, line.msg]),
      [
        ['a', 2, 0, 'API token failures'],
        ['b', 1, 0, 'API token failures'],
        [undefined, 3, 1, 'API token failures from sources past the tally limit'],
      ],
    );
  });
});
