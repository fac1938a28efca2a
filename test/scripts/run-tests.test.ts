// scripts/run-tests.mjs is what CI trusts: these run it on test files written for the purpose and check what it
// reports and the status it ends with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { REPO_ROOT } from '../support/node-program.js';

interface Run {
  status: number | null;
  output: string;
}

/** `node scripts/run-tests.mjs DIR` on a directory holding `files` (name → source), CI set or not. */
function runTests(t: TestContext, files: Record<string, string>, ci: boolean): Run {
  const dir = mkdtempSync(join(tmpdir(), 'missive-run-tests-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  // This file runs under a test runner too: a NODE_TEST_CONTEXT inherited from it would make the inner one
  // refuse to run files.
  const env: NodeJS.ProcessEnv = { ...process.env, CI: ci ? 'true' : 'false' };
  delete env.NODE_TEST_CONTEXT;
  delete env.MISSIVE_TEST_BUILD;
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/run-tests.mjs'), dir], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('every verdict of a file reaches the report, the last failed test and its error too', (t) => {
  // Long names fill the pipe from the test file's process to the runner: without a blocking stdout
  // (scripts/test-report-flush.mjs) --test-force-exit drops the reports still queued when the file ends.
  const tests = 40;
  const source = [
    "import { test } from 'node:test';",
    `const name = (i: number) => \`test \${i} \${'x'.repeat(20_000)}\`;`,
    `for (let i = 1; i < ${tests}; i++) test(name(i), () => {});`,
    `test('the last test', () => { throw new Error('the last verdict arrived'); });`,
  ].join('\n');
  const run = runTests(t, { 'verdicts.test.ts': source }, false);
  assert.equal(run.status, 1, run.output.slice(-2000));
  assert.match(run.output, new RegExp(`^ℹ tests ${tests}$`, 'm'));
  assert.match(run.output, new RegExp(`^ℹ pass ${tests - 1}$`, 'm'));
  assert.match(run.output, /^ℹ fail 1$/m);
  assert.match(run.output, /✖ the last test/);
  assert.match(run.output, /Error: the last verdict arrived/);
});

test('in CI an unexpected skip fails a run whose tests passed, and is named', (t) => {
  const source = [
    "import { test } from 'node:test';",
    "test('runs', () => {});",
    "test('needs a peer', (t) => { t.skip('the peer is not installed'); });",
  ].join('\n');
  const files = { 'skips.test.ts': source };
  const local = runTests(t, files, false);
  assert.equal(local.status, 0, local.output.slice(-2000));
  assert.doesNotMatch(local.output, /unexpected skip/);
  const ci = runTests(t, files, true);
  assert.equal(ci.status, 1, ci.output.slice(-2000));
  assert.match(ci.output, /1 unexpected skip\(s\)/);
  assert.match(ci.output, /skips\.test\.ts: needs a peer \(the peer is not installed\)/);
});
