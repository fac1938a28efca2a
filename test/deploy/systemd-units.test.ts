/**
 * The systemd units in deploy/: `systemd-analyze verify` takes them without a warning (where systemd is
 * installed), they carry the hardening and the signals the operator guide promises, and ExecStart runs a
 * missive command that exists with options that command knows.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { missiveArgs, REPO_ROOT } from '../support/node-program.js';

const run = promisify(execFile);
const UNITS = [
  { file: 'deploy/missive.service', command: 'serve' },
  { file: 'deploy/relay/missive-relay.service', command: 'relay' },
] as const;
const HARDENING: readonly (readonly [string, string])[] = [
  ['NoNewPrivileges', 'yes'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['CapabilityBoundingSet', 'CAP_NET_BIND_SERVICE'],
  ['AmbientCapabilities', 'CAP_NET_BIND_SERVICE'],
  ['Type', 'exec'],
  ['ExecReload', '/bin/kill -HUP $MAINPID'],
];

/** `[Section]` → key → values (a key may repeat), comments and blank lines left out. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1] ?? '', current);
      continue;
    }
    const equals = line.indexOf('=');
    assert.ok(current !== undefined && equals > 0, `a key in a section: ${line}`);
    const key = line.slice(0, equals).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(equals + 1).trim()]);
  }
  return sections;
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

for (const unit of UNITS) {
  describe(unit.file, () => {
    const text = readFileSync(join(REPO_ROOT, unit.file), 'utf8');
    const service = parseUnit(text).get('Service') ?? new Map<string, string[]>();

    it('passes systemd-analyze verify without a warning', {
      skip: !hasSystemdAnalyze && 'no systemd-analyze here',
    }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'missive-unit-'));
      try {
        // The node of this machine, wherever it is installed: verify checks that the executable exists.
        const path = join(dir, basename(unit.file));
        await writeFile(
          path,
          text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `),
        );
        const result = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr.trim(), '', 'no warning');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('is hardened, and reloads with SIGHUP', () => {
      for (const [key, value] of HARDENING) assert.deepEqual(service.get(key), [value], key);
      assert.ok(service.get('User')?.[0], 'runs as its own user');
    });

    it(`runs \`missive ${unit.command}\` from the build, with options it knows`, async () => {
      const [execStart = ''] = service.get('ExecStart') ?? [];
      const [node, script, command, ...args] = execStart.split(/\s+/);
      assert.equal(node, '/usr/bin/node');
      assert.match(script ?? '', /\/dist\/src\/cli\/main\.js$/);
      // tsconfig's outDir dist and rootDir .: dist/src/cli/main.js is built from src/cli/main.ts.
      assert.ok(existsSync(join(REPO_ROOT, 'src/cli/main.ts')));
      assert.equal(command, unit.command);
      const help = (
        await run(process.execPath, missiveArgs([unit.command, '--help']), {
          cwd: REPO_ROOT,
        })
      ).stdout;
      for (const option of args.filter((arg) => arg.startsWith('--')))
        assert.match(
          help,
          new RegExp(`(^|\\s)${option}( |,|$)`, 'm'),
          `${option} is an option of missive ${unit.command}`,
        );
      if (unit.command === 'serve') assert.equal(service.get('ReadWritePaths')?.[0], '/var/lib/missive');
    });
  });
}
