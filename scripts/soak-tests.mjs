#!/usr/bin/env node
// `npm run test:soak -- [--runs N] [--out DIR] [test paths…]`: runs the suite (or the paths given) N times in a
// row (default 10) while another copy of the same suite loops beside it on the same machine, the way CI's
// shared machine is loaded. Every run of both goes through scripts/run-tests.mjs; each run's output is kept
// in DIR (default a new directory under the system's temporary directory), its result, duration and failed
// tests appended to DIR/results.jsonl as they come, and a summary printed at the end. The beside-loop's run
// in progress is then stopped (its process group: the runner, the test files and every peer they started).
//
// Exit status: 0 when all N runs passed (the beside-loop's results are reported, not judged: it stands for the
// load), 1 otherwise, 2 for a bad argument.
import { spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run test:soak -- [--runs N] [--out DIR] [test paths…]';

function options() {
  try {
    const { values, positionals } = parseArgs({
      options: { runs: { type: 'string', default: '10' }, out: { type: 'string' } },
      allowPositionals: true,
    });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1)
      throw new Error(`--runs ${values.runs}: give a whole number, 1 or more`);
    return { runs, out: values.out, paths: positionals };
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
}

/** What the spec reporter's summary says: the counts and the failed tests (`file: name`). */
function summaryOf(output) {
  const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? Number.NaN);
  const failures = [];
  const list = output.lastIndexOf('\n✖ failing tests:\n');
  if (list >= 0) {
    let file = '';
    for (const line of output.slice(list).split('\n')) {
      const at = /^test at (.+?):\d+:\d+$/.exec(line);
      if (at !== null) file = at[1];
      // A test's line, or a whole file's (a file that timed out or could not load): "✖ name (12.3ms)".
      const failed = /^✖ (.+) \([\d.]+m?s\)$/.exec(line);
      if (failed !== null) failures.push(file === '' ? failed[1] : `${file}: ${failed[1]}`);
      if (line === '') file = '';
    }
  }
  return {
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail'),
    cancelled: count('cancelled'),
    skipped: count('skipped'),
    failures,
  };
}

/**
 * One run of scripts/run-tests.mjs, its output into `log`. `group`: in a process group of its own, so that
 * it can be stopped with everything it started. Resolves with the record of the run.
 */
function runSuite(paths, log, group) {
  const started = Date.now();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'run-tests.mjs'), ...paths], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  const file = createWriteStream(log);
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString('utf8');
    file.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const done = new Promise((resolve) => {
    child.once('close', (code, signal) => {
      file.end();
      resolve({
        status: code,
        signal,
        started: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        log,
        ...summaryOf(output),
      });
    });
  });
  return { child, done };
}

const { runs, out: outOption, paths } = options();
const out = outOption ?? mkdtempSync(join(tmpdir(), 'missive-soak-'));
mkdirSync(out, { recursive: true });
const resultsFile = join(out, 'results.jsonl');
const record = (entry) => appendFileSync(resultsFile, `${JSON.stringify(entry)}\n`);
const what = paths.length === 0 ? 'the full suite' : paths.join(' ');
console.log(`soak: ${runs} runs of ${what}, each beside another loop of it; logs and results in ${out}`);

let stopping = false;
let beside;
const besideResults = [];
async function besideLoop() {
  for (let run = 1; !stopping; run++) {
    beside = runSuite(paths, join(out, `beside-${run}.log`), true);
    const result = await beside.done;
    if (stopping) {
      record({ suite: 'beside', run, stopped: true, started: result.started, seconds: result.seconds });
      break;
    }
    besideResults.push(result);
    record({ suite: 'beside', run, ...result });
    console.log(`beside run ${run}: ${verdict(result)}`);
  }
}

function stopBeside() {
  stopping = true;
  const pid = beside?.child.pid;
  if (pid !== undefined && beside.child.exitCode === null && beside.child.signalCode === null) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // The group has already gone.
    }
  }
}

function verdict(result) {
  const passed = result.status === 0;
  // A run forced to exit (--test-force-exit) can end before its reporter has written the summary: the
  // status is still the runner's, but the counts are not known.
  const counts = Number.isNaN(result.tests)
    ? 'no summary in its output'
    : `${result.pass}/${result.tests} passed, ${result.fail} failed, ${result.cancelled} cancelled`;
  return `${passed ? 'passed' : 'FAILED'} in ${result.seconds} s (${counts})${
    result.failures.length === 0 ? '' : `\n  ${result.failures.join('\n  ')}`
  }`;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBeside();
    process.exitCode = 1;
  });
}

const looping = besideLoop();
const results = [];
for (let run = 1; run <= runs && !stopping; run++) {
  const result = await runSuite(paths, join(out, `run-${run}.log`), false).done;
  results.push(result);
  record({ suite: 'main', run, ...result });
  console.log(`run ${run}/${runs}: ${verdict(result)}`);
}
stopBeside();
await looping;

const passed = results.filter((result) => result.status === 0).length;
let streak = 0;
let longestStreak = 0;
for (const result of results) {
  streak = result.status === 0 ? streak + 1 : 0;
  longestStreak = Math.max(longestStreak, streak);
}
const seconds = results.map((result) => result.seconds).sort((a, b) => a - b);
console.log(`\nsoak summary (${what}), results in ${resultsFile}:`);
console.log(
  `  ${passed} of ${results.length} runs passed${passed === results.length ? '' : `, ${longestStreak} the most in a row`}; ` +
    `duration median ${seconds[Math.floor(seconds.length / 2)] ?? 0} s, longest ${seconds.at(-1) ?? 0} s`,
);
console.log(
  `  beside: ${besideResults.length} complete runs, ${besideResults.filter((r) => r.status === 0).length} passed`,
);
const failed = new Map();
for (const result of [...results, ...besideResults])
  for (const failure of result.failures) failed.set(failure, (failed.get(failure) ?? 0) + 1);
for (const [failure, times] of [...failed].sort((a, b) => b[1] - a[1])) console.log(`  ${times}× ${failure}`);
process.exitCode = passed === results.length && results.length === runs ? (process.exitCode ?? 0) : 1;
