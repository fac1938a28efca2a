/**
 * The log format as a person and a machine see it: a real process whose stdout is a pseudo-terminal
 * (util-linux `script`) or a pipe, for each --log-format. On a terminal `auto` is pretty (one line per event,
 * with the time and the level in words); on a pipe it is JSON; `json` and `pretty` hold either way.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loaderArgs, programPath, REPO_ROOT } from '../support/node-program.js';

const LOGGER = programPath('src/log/logger.ts');

function program(format: string): string {
  return `import { createLogger } from ${JSON.stringify(LOGGER)};
createLogger('info', 'missive', ${JSON.stringify(format)}).info({ port: 5060 }, 'SIP listening');`;
}

/** What the process writes, with stdout a terminal (`tty`) or a pipe; colours removed. */
function run(format: string, tty: boolean): string {
  const node = [process.execPath, ...loaderArgs(), '--input-type=module', '-e', program(format)];
  const result = tty
    ? spawnSync('script', ['-qec', node.map(shellQuote).join(' '), '/dev/null'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      })
    : spawnSync(node[0] ?? '', node.slice(1), { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const PRETTY = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(missive\): SIP listening \{"port":5060\}\n$/;

test('on a terminal: pretty by default, JSON when asked', () => {
  assert.match(run('auto', true), PRETTY);
  const line = JSON.parse(run('json', true)) as Record<string, unknown>;
  assert.equal(line.msg, 'SIP listening');
  assert.equal(line.level, 30);
  assert.equal(line.port, 5060);
});

test('not a terminal: JSON by default, pretty when asked', () => {
  const line = JSON.parse(run('auto', false)) as Record<string, unknown>;
  assert.equal(line.msg, 'SIP listening');
  assert.equal(line.level, 30);
  assert.equal(line.port, 5060);
  assert.equal(typeof line.time, 'number');
  assert.match(run('pretty', false), PRETTY);
});
