/**
 * What a newcomer reads in the first hour holds: the README's quick start shows every line `missive serve`
 * prints on a terminal before its banner; every `application/sylk-api-*` request has its section in
 * docs/sylk-api-requests.md; the README says how sipp must be told the digest URI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as contentTypes from '../../src/messaging/formats/content-types.js';
import { missiveArgs, REPO_ROOT } from '../support/node-program.js';
import { freePorts } from '../support/ports.js';

const BANNER_END = 'Try the relay from another terminal:';

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `missive serve` on a pseudo-terminal (util-linux `script`), until its banner; colours removed. */
async function startOnTerminal(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'missive-tty-'));
  const [sip, sips, ws, msrp] = (await freePorts(4)) as [number, number, number, number];
  const command = [
    'timeout',
    '60',
    process.execPath,
    ...missiveArgs([
      'serve',
      '--data-dir',
      dataDir,
      ...['--sip-port', String(sip), '--sips-port', String(sips), '--ws-port', String(ws)],
      ...['--msrp-port', String(msrp)],
    ]),
  ];
  const child = spawn('script', ['-qec', command.map(shellQuote).join(' '), '/dev/null'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(BANNER_END)) resolve();
      });
      child.once('exit', () => {
        reject(new Error(`missive serve ended before its banner:\n${output}`));
      });
    });
  } finally {
    child.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
  return output.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

test("the README's quick start shows every line serve prints on a terminal before its banner", async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('To run the tests:'));
  const shown = [...quickStart.matchAll(/^\[[\d:.]+\] INFO \(([^)]+)\): (.+?) \{/gm)].map(
    ([, name, message]) => `${name ?? ''}: ${message ?? ''}`,
  );
  const output = await startOnTerminal();
  const beforeBanner = output.slice(0, output.indexOf('missive is serving'));
  const printed = beforeBanner.split('\n').filter((line) => line.trim() !== '');
  for (const line of printed)
    assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(/, `not a pretty log line: ${line}`);
  const messages = printed
    .map((line) => /\(([^)]+)\): (.+?) \{/.exec(line))
    .map((m) => `${m?.[1] ?? ''}: ${m?.[2] ?? ''}`);
  assert.deepEqual(messages, shown);
});

test('docs/sylk-api-requests.md has a section for every application/sylk-api-* type', async () => {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'sylk-api-requests.md'), 'utf8');
  const types = Object.values(contentTypes as Record<string, unknown>).filter(
    (value): value is string => typeof value === 'string' && value.startsWith('application/sylk-api-'),
  );
  assert.equal(types.length, 5);
  for (const type of types) assert.match(doc, new RegExp(`^## \`${type}\``, 'm'), type);
});

test('the README says that sipp needs -auth_uri (the digest URI must equal the Request-URI)', async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  assert.match(readme, /digest URI equals the Request-URI/);
  assert.match(readme, /-auth_uri/);
});
