// `missive db …` run as a real process (test/support/node-program.ts) against SQLite stores and a
// PostgreSQL schema: sylk spec §9 tests 58–60 adapted (show, remove api_token then a refused history request over
// HTTP, remove push_token picking one of two), the other removals, confirmations, and exit statuses.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiToken, openStore, type Store } from '../../src/store/index.js';
import { type ConformanceBackend, postgresBackend } from '../store/backends.js';
import { ALICE, BOB, CAROL, incoming, outgoing, record } from '../store/journal-entries.js';
import { type ProcessResult, runTypeScript } from '../store/processes.js';
import { missiveArgs } from '../support/node-program.js';
import { PROCESS_START_MS } from '../support/wait.js';
import { apikey, request, startWeb, T0 } from './harness.js';

const KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZk…\n-----END PGP PUBLIC KEY BLOCK-----\n';
const DAY = 86_400_000;

/** The command line of `missive db ARGS`, for a shell pipeline. */
function dbCommand(args: readonly string[]): string[] {
  return [process.execPath, ...missiveArgs(['db', ...args])];
}

function db(args: readonly string[], input = ''): Promise<ProcessResult> {
  return runTypeScript('src/cli/main.ts', ['db', ...args], { timeoutMs: PROCESS_START_MS, input });
}

/** Alice with storage, a token, five journal entries of four kinds (two unread), two push tokens and a key. */
async function populate(uri: string): Promise<string> {
  const store = await openStore(uri);
  try {
    const token = generateApiToken();
    const now = Date.now();
    await store.storageAccounts.touch(ALICE, now - DAY);
    await store.storageAccounts.setToken(ALICE, token, now, 10 * DAY);
    await store.journal.append(ALICE, incoming('m1'), now);
    await store.journal.append(ALICE, incoming('m2', { contact: CAROL }), now);
    await store.journal.append(ALICE, outgoing('m3'), now);
    await store.journal.append(
      ALICE,
      incoming('i1', { contentType: 'message/imdn', disposition: [], content: '{}' }),
      now,
    );
    await store.journal.append(ALICE, record('r1', 'application/sylk-conversation-read', BOB), now);
    for (const [deviceId, value] of [
      ['d1', 'first-token-0123456789abcdef'],
      ['d2', 'second-token-0123456789abcdef'],
    ] as const) {
      await store.pushTokens.upsert({
        account: ALICE,
        appId: 'com.x',
        deviceId,
        token: value,
        platform: 'ios',
        silent: true,
        updatedAt: now,
      });
    }
    await store.publicKeys.set(ALICE, KEY, now);
    return token;
  } finally {
    await store.close();
  }
}

async function withStore<T>(uri: string, body: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(uri);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

describe('missive db (SQLite)', { concurrency: 4, timeout: 5 * PROCESS_START_MS }, () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-db-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const newStore = (): string => `sqlite://${join(dir, `store-${String(++n)}.db`)}`;

  it('58: without arguments prints the help and exits 0', async () => {
    const result = await db([]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Usage: missive db/);
    assert.match(result.stdout, /show <account>/);
    const help = await db(['--help']);
    assert.equal(help.code, 0);
    const removeHelp = await db(['remove', 'push_token', '--help']);
    assert.equal(removeHelp.code, 0);
    assert.match(removeHelp.stdout, /--pick <n\|all>/);
  });

  it('58: show prints storage, token expiry (not the token), counts, unread, push tokens and the key', async () => {
    const store = newStore();
    const token = await populate(store);
    const result = await db(['show', 'sip:alice@EXAMPLE.com', '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^-{80}\n {31}alice@example\.com\n-{80}\n/);
    assert.match(out, /^Message storage is enabled$/m);
    assert.match(
      out,
      /^API token: present, expires at \d{4}-\d\d-\d\dT[\d:.]+Z, in 9 days \(only its SHA-256/m,
    );
    assert.ok(!out.includes(token), 'the token is never printed');
    assert.match(out, /^Last login at: {2}\d{4}-/m);
    assert.match(out, /^5 messages stored$/m);
    assert.match(out, /^ {2}Text Messages: 3$/m);
    assert.match(out, /^ {2}IMDN messages: 1$/m);
    assert.match(out, /^ {2}Filetransfers: 0$/m);
    assert.match(out, /^ {2}Metadata: 0$/m);
    assert.match(out, /^ {2}Other Messages: 1$/m);
    assert.match(out, /^Unread messages: 2$/m);
    assert.match(out, /^2 push token\(s\) stored$/m);
    assert.match(out, /App: com\.x Device ID: d1 Platform: ios Token: first-token-01234567 \.\.\.$/m);
    assert.ok(!out.includes('first-token-0123456789'), 'push tokens are shortened');
    assert.match(out, /^1 public key\(s\) stored$/m);
    assert.ok(out.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'));
  });

  it('show of an account without anything says so and exits 0', async () => {
    const store = newStore();
    await populate(store);
    const result = await db(['show', BOB, '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Message storage is not enabled$/m);
    assert.match(result.stdout, /^0 messages stored$/m);
    assert.match(result.stdout, /^0 push token\(s\) stored$/m);
  });

  it('59: remove api_token + y: the history refuses the old token', async () => {
    const store = newStore();
    const token = await populate(store);
    const web = await startWeb(store);
    try {
      web.clock.advance(Date.now() - T0);
      const url = `${web.base}/webrtcgateway/messages/history/${ALICE}`;
      assert.equal((await request(url, { headers: apikey(token) })).status, 200);
      const result = await db(['remove', 'api_token', ALICE, '--store', store], 'y\n');
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        />> This revokes the API token of alice@example\.com\. Would you like to continue\? \(Enter y\/n\)/,
      );
      assert.equal(result.stdout, 'Api token for alice@example.com removed\n');
      const refused = await request(url, { headers: apikey(token) });
      assert.deepEqual([refused.status, refused.body], [401, 'Unauthorized']);
      const again = await db(['remove', 'api_token', ALICE, '--yes', '--store', store]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /alice@example\.com has no API token/);
    } finally {
      await web.close();
    }
  });

  it('60: remove push_token with two tokens, answer 0: only the first listed is removed', async () => {
    const store = newStore();
    await populate(store);
    const result = await db(['remove', 'push_token', ALICE, '--store', store], 'x\n7\n0\ny\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^2 push token\(s\) stored\n\[0\]: App: com\.x Device ID: d1 .*\n\[1\]: App: com\.x Device ID: d2 /,
    );
    assert.match(result.stdout, /Removed token first-token-01234567 from alice@example\.com\n$/);
    // Invalid answers are asked again.
    assert.equal(result.stderr.match(/Pick a token to delete \(Enter a number \[0-1\] or all\)/g)?.length, 3);
    const left = await withStore(store, (s) => s.pushTokens.list(ALICE));
    assert.deepEqual(
      left.map((t) => t.deviceId),
      ['d2'],
    );
  });

  it('remove push_token without a terminal needs --pick with --yes; --pick all removes all', async () => {
    const store = newStore();
    await populate(store);
    const ambiguous = await db(['remove', 'push_token', ALICE, '--yes', '--store', store]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /choose with --pick N or --pick all/);
    const outOfRange = await db(['remove', 'push_token', ALICE, '--pick', '5', '--yes', '--store', store]);
    assert.equal(outOfRange.code, 2);
    assert.match(outOfRange.stderr, /--pick must be a number from 0 to 1, or all/);
    const all = await db(['remove', 'push_token', ALICE, '--pick', 'all', '--yes', '--store', store]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(await withStore(store, (s) => s.pushTokens.list(ALICE)).then((l) => l.length), 0);
    const none = await db(['remove', 'push_token', ALICE, '--yes', '--store', store]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /has no push tokens/);
  });

  it('remove messages: one conversation with CONTACT, else all; declining or no answer removes nothing', async () => {
    const store = newStore();
    await populate(store);
    const declined = await db(['remove', 'messages', ALICE, '--store', store], 'n\n');
    assert.equal(declined.code, 1);
    assert.match(declined.stderr, /nothing removed/);
    const silent = await db(['remove', 'messages', ALICE, '--store', store]);
    assert.equal(silent.code, 1);
    assert.match(silent.stderr, /no answer: nothing removed/);
    assert.equal(await withStore(store, (s) => s.journal.count(ALICE)), 5);

    const carol = await db(['remove', 'messages', ALICE, CAROL, '--yes', '--store', store]);
    assert.equal(carol.code, 0, carol.stderr);
    assert.equal(carol.stdout, 'Removed 1 messages from carol@example.com for alice@example.com\n');
    assert.equal(await withStore(store, (s) => s.journal.get(ALICE, 'm2')), undefined);
    const rest = await db(['remove', 'messages', ALICE, '-y', '--store', store]);
    assert.equal(rest.stdout, 'Removed 4 messages from alice@example.com\n');
    assert.equal(await withStore(store, (s) => s.journal.count(ALICE)), 0);
  });

  it('remove messages with nothing to remove exits 1 and says so', async () => {
    const store = newStore();
    await populate(store);
    const carol = await db(['remove', 'messages', ALICE, CAROL, '--yes', '--store', store]);
    assert.equal(carol.code, 0, carol.stderr);
    const again = await db(['remove', 'messages', ALICE, CAROL, '--yes', '--store', store]);
    assert.equal(again.code, 1);
    assert.equal(again.stdout, '');
    assert.match(again.stderr, /alice@example\.com has no messages with carol@example\.com/);
    const empty = await db(['remove', 'messages', BOB, '--yes', '--store', store]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /bob@example\.com has no messages/);
  });

  it('show of a subscriber with nothing stored yet says storage is enabled', async () => {
    const store = newStore();
    await withStore(store, (s) => s.subscribers.add('bob', 'example.com', 'pw'));
    const result = await db(['show', BOB, '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Message storage is enabled \(a subscriber; nothing stored yet\)$/m);
  });

  it('show into a pipe that closes early ends quietly with status 0', async () => {
    const store = newStore();
    await populate(store);
    const { spawn } = await import('node:child_process');
    // `db show … | true`: the reader has gone before the first line is written (EPIPE).
    const shell = spawn('bash', [
      '-o',
      'pipefail',
      '-c',
      `"$0" "$@" | true`,
      ...dbCommand(['show', ALICE, '--store', store]),
    ]);
    let stderr = '';
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => shell.once('exit', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('`missive help db` prints the same help as `missive db --help`', async () => {
    const viaHelp = await runTypeScript('src/cli/main.ts', ['help', 'db'], { timeoutMs: PROCESS_START_MS });
    const viaFlag = await db(['--help']);
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, /remove/);
    assert.equal(viaHelp.stdout, viaFlag.stdout);
  });

  it('remove public_key and remove all', async () => {
    const store = newStore();
    await populate(store);
    const key = await db(['remove', 'public_key', ALICE, '--yes', '--store', store]);
    assert.deepEqual([key.code, key.stdout], [0, 'Removed public Key from alice@example.com\n']);
    const noKey = await db(['remove', 'public_key', ALICE, '--yes', '--store', store]);
    assert.equal(noKey.code, 1);
    await withStore(store, async (s) => {
      assert.equal(await s.addressBooks.put(ALICE, '{"contacts":[]}', 0, Date.now()), true);
    });
    const all = await db(['remove', 'all', ALICE, '--store', store], 'yes\n');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(
      all.stdout,
      [
        'Removed 5 messages from alice@example.com',
        'Removed alice@example.com from accounts',
        'Removed 2 push tokens from alice@example.com',
        'Removed address book from alice@example.com',
        '',
      ].join('\n'),
    );
    await withStore(store, async (s) => {
      assert.equal(await s.addressBooks.get(ALICE), undefined);
      assert.equal(await s.storageAccounts.get(ALICE), undefined);
      assert.equal(await s.journal.count(ALICE), 0);
      assert.equal((await s.pushTokens.list(ALICE)).length, 0);
      assert.equal(await s.publicKeys.get(ALICE), undefined);
    });
  });

  it('exits 2 for usage errors and 1 for a missing store', async () => {
    const store = newStore();
    await populate(store);
    const cases: [string[], RegExp][] = [
      [['show'], /missing required argument/],
      [['show', 'not an account', '--store', store], /is not an account/],
      [['frobnicate'], /unknown command/],
      [['remove'], /Usage: missive db remove/],
      [['remove', 'everything', ALICE], /unknown command/],
      [['remove', 'messages', ALICE, 'bad contact', '--yes', '--store', store], /is not a contact/],
      [['show', ALICE, '--store', 'mysql://root@localhost/db'], /sqlite:\/\/\/ and postgresql:\/\//],
    ];
    for (const [args, message] of cases) {
      const result = await db(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr + result.stdout, message, args.join(' '));
    }
    const missing = await db(['show', ALICE, '--store', `sqlite://${join(dir, 'never.db')}`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no database at/);
  });
});

describe('missive db (PostgreSQL)', { timeout: 5 * PROCESS_START_MS }, () => {
  let backend: ConformanceBackend;
  let uri: string;
  before(async () => {
    backend = await postgresBackend();
    uri = (await backend.fresh()).uri;
  });
  after(async () => {
    await backend.close();
  });

  it('show, then remove api_token and push_token 0', async () => {
    const token = await populate(uri);
    const shown = await db(['show', ALICE, '--store', uri]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Message storage is enabled$/m);
    assert.match(shown.stdout, /^5 messages stored$/m);
    assert.match(shown.stdout, /^Unread messages: 2$/m);
    assert.ok(!shown.stdout.includes(token));
    const removed = await db(['remove', 'api_token', ALICE, '--yes', '--store', uri]);
    assert.equal(removed.code, 0, removed.stderr);
    const verified = await withStore(uri, (s) => s.storageAccounts.verifyToken(ALICE, token, Date.now()));
    assert.equal(verified, false);
    const picked = await db(['remove', 'push_token', ALICE, '--pick', '0', '--yes', '--store', uri]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.deepEqual(
      (await withStore(uri, (s) => s.pushTokens.list(ALICE))).map((t) => t.deviceId),
      ['d2'],
    );
  });
});
