#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test through tsx. Node 20's --test does not expand globs,
// so the files are listed here. Extra arguments narrow the run: `npm test -- test/msrp`.
//
// The processes the tests start (`missive serve`, the relay, CLI commands) run from a JavaScript copy that
// this run transpiles first (scripts/test-build.mjs), half the CPU of tsx per start; it is removed at the end.
//
// In CI (CI=true) every skip must be expected: a test that skips because a peer, a package or a database
// is missing would otherwise turn a green run into one that tested less. The skips are collected by
// scripts/skip-reporter.mjs and any skip not in EXPECTED_SKIPS fails the run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildForTests, TEST_BUILD_ENV } from './test-build.mjs';

/**
 * The only skips CI accepts: a test named `name` in `file`, skipped for `reason` (exactly), and why that
 * is right everywhere. Nothing that depends on what is installed belongs here.
 */
const EXPECTED_SKIPS = [
  {
    file: 'test/credentials/sql-store.test.ts',
    name: 'times out a lookup on a database that never answers',
    reason: 'SQLite has no server',
    why: 'the credential-store suite runs on every backend; an embedded SQLite file has no server that could stop answering',
  },
  {
    file: 'test/credentials/sql-store.test.ts',
    name: 'reconnects after the server drops its connection',
    reason: 'SQLite has no server connection',
    why: 'the credential-store suite runs on every backend; an embedded SQLite file has no connection a server could drop',
  },
];

function collect(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => collect(join(path, name)));
}

function expected(skip) {
  return EXPECTED_SKIPS.some(
    (known) => known.file === skip.file && known.name === skip.name && known.reason === skip.reason,
  );
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];
const missing = roots.filter((root) => !existsSync(root));
if (missing.length > 0) {
  console.error(`no such test file or directory: ${missing.join(', ')}`);
  process.exit(2);
}
const files = roots.flatMap(collect);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const checkSkips = process.env.CI === 'true';
const skipDir = checkSkips ? mkdtempSync(join(tmpdir(), 'missive-skips-')) : undefined;
const skipFile = skipDir === undefined ? undefined : join(skipDir, 'skips.jsonl');
const reporters =
  skipFile === undefined
    ? ['--test-reporter=spec']
    : [
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${join(import.meta.dirname, 'skip-reporter.mjs')}`,
        `--test-reporter-destination=${skipFile}`,
      ];
// A file still running after this long has hung (the slowest, on a loaded machine beside another suite, take
// a few minutes): it fails with its name and its process is killed, instead of holding the whole run.
const FILE_TIMEOUT_MS = 20 * 60_000;
// Interrupted (Ctrl-C, a soak run stopping its beside-loop): the runner is told, and the copy still removed.
let runner;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    interrupted = true;
    runner?.kill(signal);
  });
}
const build = await buildForTests(join(import.meta.dirname, '..'));
if (interrupted) {
  rmSync(build, { recursive: true, force: true });
  process.exit(1);
}
// --test-force-exit: a file whose failed test left a socket open ends when its tests have, instead of
// holding the whole run until CI's time runs out (scripts/test-report-flush.mjs keeps it from losing reports).
runner = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    join(import.meta.dirname, 'test-signals.mjs'),
    '--import',
    join(import.meta.dirname, 'test-report-flush.mjs'),
    '--test',
    '--test-concurrency=4',
    '--test-force-exit',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    ...reporters,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, [TEST_BUILD_ENV]: build } },
);
const result = await new Promise((resolve) =>
  runner.once('exit', (code, signal) => resolve({ status: signal === null ? code : 1 })),
);
rmSync(build, { recursive: true, force: true });
let status = result.status ?? 1;
if (skipFile !== undefined && !existsSync(skipFile)) {
  // The runner never got as far as its reporters (it failed to start, or was stopped first).
  console.error('\nno skip report: the test runner did not run the files, so the skips could not be checked');
  status = status === 0 ? 1 : status;
} else if (skipFile !== undefined) {
  const skips = readFileSync(skipFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  const unexpected = skips.filter((skip) => !expected(skip));
  if (unexpected.length > 0) {
    console.error(
      `\n${unexpected.length} unexpected skip(s); in CI every skip must be listed in scripts/run-tests.mjs:`,
    );
    for (const skip of unexpected) {
      console.error(
        `  ${skip.file}: ${[...skip.suites, skip.name].join(' > ')} (${skip.reason || 'no reason given'})`,
      );
    }
    status = status === 0 ? 1 : status;
  }
  rmSync(skipDir, { recursive: true, force: true });
}
process.exit(status);
