// `missive user …` run as a real process (test/support/node-program.ts) against temporary SQLite
// stores: output, exit statuses, and what ends up in the store.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { digestLogin } from './digest-login.js';
import { type ProcessResult, runTypeScript } from './processes.js';
import { md5 } from '../support/md5.js';
import { PROCESS_START_MS } from '../support/wait.js';

describe('missive user', { concurrency: 4, timeout: 5 * PROCESS_START_MS }, () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-user-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A store URI no other test uses (the file does not exist yet). */
  function newStore(): string {
    return `sqlite://${join(dir, `store-${++n}.db`)}`;
  }

  function user(
    args: readonly string[],
    options: { input?: string; cwd?: string } = {},
  ): Promise<ProcessResult> {
    return runTypeScript('src/cli/main.ts', ['user', ...args], { timeoutMs: PROCESS_START_MS, ...options });
  }

  async function ha1Of(store: string, username: string, domain: string): Promise<string | undefined> {
    const opened = await openStore(store);
    try {
      return (await opened.subscribers.get(username, domain))?.ha1;
    } finally {
      await opened.close();
    }
  }

  it('add with --password, then list, passwd and remove', async () => {
    const store = newStore();
    const added = await user(['add', 'alice@Example.com', '--password', 'Secret#1', '--store', store]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added alice@example.com\n');
    assert.equal(await ha1Of(store, 'alice', 'example.com'), md5('alice:example.com:Secret#1'));

    const listed = await user(['list', '--store', store]);
    assert.deepEqual([listed.code, listed.stdout], [0, 'alice@example.com\n']);

    const changed = await user(['passwd', 'alice@example.com', '--password-stdin', '--store', store], {
      input: 'n3w pass\r\nignored second line\n',
    });
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'password changed for alice@example.com\n');
    assert.equal(await ha1Of(store, 'alice', 'example.com'), md5('alice:example.com:n3w pass'));

    const removed = await user(['remove', 'sip:alice@example.com', '--store', store]);
    assert.deepEqual([removed.code, removed.stdout], [0, 'removed alice@example.com\n']);
    assert.equal(await ha1Of(store, 'alice', 'example.com'), undefined);
  });

  it('generates and prints a password that authenticates', async () => {
    const store = newStore();
    const added = await user(['add', 'bob@example.com', '--store', store]);
    assert.equal(added.code, 0, added.stderr);
    const password = /^password: (\S+)$/m.exec(added.stdout)?.[1];
    assert.ok(password !== undefined && password.length >= 20, added.stdout);
    const opened = await openStore(store);
    try {
      assert.equal(
        await digestLogin(opened.subscribers.credentials, 'bob', 'example.com', password),
        'success',
      );
    } finally {
      await opened.close();
    }
    const changed = await user(['passwd', 'bob@example.com', '--store', store]);
    const second = /^password: (\S+)$/m.exec(changed.stdout)?.[1];
    assert.ok(second !== undefined && second !== password, changed.stdout);
    assert.equal(await ha1Of(store, 'bob', 'example.com'), md5(`bob:example.com:${second}`));
  });

  it('reads the password from stdin, and stores it in clear only with --cleartext', async () => {
    const store = newStore();
    const plain = await user(['add', 'carol@example.com', '--password-stdin', '--store', store], {
      input: 'pw-c',
    });
    const clear = await user(
      ['add', 'dave@example.com', '--password-stdin', '--cleartext', '--store', store],
      {
        input: 'pw-d\n',
      },
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(clear.code, 0, clear.stderr);
    assert.ok(!plain.stdout.includes('pw-c') && !clear.stdout.includes('pw-d'));
    const opened = await openStore(store);
    try {
      assert.equal(
        (await opened.subscribers.get('carol', 'example.com'))?.ha1,
        md5('carol:example.com:pw-c'),
      );
      assert.equal((await opened.subscribers.get('carol', 'example.com'))?.hasCleartextPassword, false);
      assert.equal((await opened.subscribers.get('dave', 'example.com'))?.hasCleartextPassword, true);
    } finally {
      await opened.close();
    }
  });

  it('lists one domain, sorted', async () => {
    const store = newStore();
    const opened = await openStore(store);
    for (const [username, domain] of [
      ['zoe', 'b.org'],
      ['amy', 'b.org'],
      ['max', 'a.org'],
    ] as const) {
      await opened.subscribers.add(username, domain, 'pw');
    }
    await opened.close();
    const all = await user(['list', '--store', store]);
    assert.equal(all.stdout, 'max@a.org\namy@b.org\nzoe@b.org\n');
    const one = await user(['list', 'B.org', '--store', store]);
    assert.equal(one.stdout, 'amy@b.org\nzoe@b.org\n');
  });

  it('exits 1 for what cannot be done: duplicate, unknown user, missing store', async () => {
    const store = newStore();
    const opened = await openStore(store);
    await opened.subscribers.add('erin', 'example.com', 'pw');
    await opened.close();
    const duplicate = await user(['add', 'erin@EXAMPLE.com', '--password', 'pw', '--store', store]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /erin@example\.com exists already/);
    for (const args of [
      ['remove', 'nobody@example.com'],
      ['passwd', 'nobody@example.com', '--password', 'x'],
    ]) {
      const result = await user([...args, '--store', store]);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /no such user nobody@example\.com/);
      assert.equal(result.stdout, '');
    }
    const missing = join(dir, 'never-created.db');
    const list = await user(['list', '--store', `sqlite://${missing}`]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /no database at/);
    assert.equal(existsSync(missing), false);
  });

  it('exits 2 for usage errors, and 0 for help', async () => {
    const store = newStore();
    const cases: [string[], RegExp][] = [
      [[], /Usage: missive user/],
      [['frobnicate'], /unknown command/],
      [['add'], /missing required argument/],
      [['add', 'alice'], /not user@domain/],
      [['add', 'al ice@example.com', '--password', 'x'], /username/],
      [['add', 'alice@exa mple.com', '--password', 'x'], /domain/],
      [['add', 'alice@example.com', '--password', 'x', '--password-stdin'], /cannot be used with/],
      [['add', 'alice@example.com', '--password', ''], /password: is empty/],
      [['list', '--store', 'mysql://root@localhost/db'], /sqlite:\/\/\/ and postgresql:\/\//],
    ];
    for (const [args, message] of cases) {
      const withStore = args.includes('--store') || args.length === 0 ? args : [...args, '--store', store];
      const result = await user(withStore);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    const help = await user(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /add \[options\] <account>/);
    const addHelp = await user(['add', '--help']);
    assert.equal(addHelp.code, 0);
    assert.match(addHelp.stdout, /--password-stdin/);
  });

  it('defaults to <data dir>/missive.db, .missive in the working directory', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    const added = await user(['add', 'fay@example.com', '--password', 'pw'], { cwd });
    assert.equal(added.code, 0, added.stderr);
    assert.ok(existsSync(join(cwd, '.missive', 'missive.db')));
    const listed = await user(['list'], { cwd });
    assert.equal(listed.stdout, 'fay@example.com\n');
    const other = join(cwd, 'other data%dir');
    const elsewhere = await user(['add', 'gil@example.com', '--password', 'pw', '--data-dir', other], {
      cwd,
    });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.ok(existsSync(join(other, 'missive.db')));
  });

  it('add for a domain that is not served warns, names how to serve it, and adds the account', async () => {
    const store = newStore();
    const added = await user(['add', 'dave@example.com', '--password', 'pw', '--store', store]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, 'added dave@example.com\n');
    assert.match(added.stderr, /warning: example\.com is not a domain missive serves \(localhost\)/);
    assert.match(added.stderr, /missive serve --domain example\.com/);
    assert.ok((await ha1Of(store, 'dave', 'example.com')) !== undefined);
    // Served, by --domain or by the configuration file: no warning.
    const byFlag = await user([
      'add',
      'erin@example.com',
      '--password',
      'pw',
      '--domain',
      'example.com',
      '--store',
      store,
    ]);
    assert.deepEqual([byFlag.code, byFlag.stderr], [0, '']);
    const config = join(dir, `served-${String(++n)}.ini`);
    await writeFile(config, '[General]\ndomain = example.org, example.com\n');
    const byFile = await user([
      'add',
      'fred@example.com',
      '--password',
      'pw',
      '--config',
      config,
      '--store',
      store,
    ]);
    assert.deepEqual([byFile.code, byFile.stderr], [0, '']);
    const local = await user(['add', 'gail@localhost', '--password', 'pw', '--store', store]);
    assert.deepEqual([local.code, local.stderr], [0, '']);
  });

  it('`missive help user` prints the same help as `missive user --help`', async () => {
    const viaHelp = await runTypeScript('src/cli/main.ts', ['help', 'user'], { timeoutMs: PROCESS_START_MS });
    const viaFlag = await user(['--help']);
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, /passwd/);
    assert.equal(viaHelp.stdout, viaFlag.stdout);
  });
});
