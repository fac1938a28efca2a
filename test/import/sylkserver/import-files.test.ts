// `missive import sylkserver --storage-dir`: a SylkServer file backend built from the spec (sylk spec §3.10),
// imported into a fresh data directory, then read back through a real `missive serve`'s history API with the
// old server's API token; a second run changes nothing; a dry run writes nothing; the broken entry is named.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import { MissiveProcess } from '../../support/missive-process.js';
import { LOOPBACK } from '../../support/ports.js';
import { runTypeScript } from '../../store/processes.js';
import {
  ALICE,
  ALICE_BOOK,
  ALICE_ENTRIES,
  ALICE_KEY,
  ALICE_TOKEN,
  BOB,
  BOB_ENTRIES,
  historyMessage,
  writeStorageDir,
} from './sylkserver-data.js';
import { PROCESS_START_MS } from '../../support/wait.js';

// A hang guard for the whole suite: it runs the CLI as child processes, each up to PROCESS_START_MS when loaded.
const TIMEOUT = { timeout: 5 * PROCESS_START_MS };

describe('missive import sylkserver: the file backend', TIMEOUT, () => {
  let dir: string;
  let storage: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-import-'));
    storage = join(dir, 'storage');
    await writeStorageDir(storage);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const importInto = (dataDir: string, ...extra: string[]) =>
    runTypeScript(
      'src/cli/main.ts',
      ['import', 'sylkserver', '--storage-dir', storage, '--data-dir', dataDir, ...extra],
      {
        timeoutMs: PROCESS_START_MS,
      },
    );

  test('imports everything, keeps ids, times, states and dispositions, and names what it skipped', async () => {
    const dataDir = join(dir, 'data');
    const first = await importInto(dataDir);
    assert.equal(first.code, 1, 'a skipped entry makes the exit status 1');
    assert.match(first.stdout, /^ {2}accounts: 2 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}api tokens: 1 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}public keys: 1 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}push tokens: 2 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}messages: 7 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}address books: 1 imported, 0 already there$/m);
    assert.match(
      first.stderr,
      /not imported: conversations\/a\/alice@example\.com_messages\.json: no message_id/,
    );

    const again = await importInto(dataDir);
    assert.match(again.stdout, /^ {2}messages: 0 imported, 7 already there$/m);
    for (const kind of ['accounts', 'api tokens', 'public keys', 'push tokens', 'address books']) {
      assert.match(again.stdout, new RegExp(`^  ${kind}: 0 imported, \\d+ already there$`, 'm'));
    }

    const store = await openStore(`sqlite://${join(dataDir, 'missive.db')}`);
    try {
      assert.equal((await store.publicKeys.get(ALICE))?.key, ALICE_KEY);
      const tokens = await store.pushTokens.list(ALICE);
      assert.deepEqual(
        tokens.map((t) => [
          t.appId,
          t.deviceId,
          t.platform,
          t.token,
          t.backgroundToken,
          t.silent,
          t.userAgent,
        ]),
        [['com.agprojects.sylk-ios', 'd1', 'ios', 'voip-token-1', 'bg-token-1', false, 'Sylk 5.3']],
      );
      const bobTokens = await store.pushTokens.list(BOB);
      assert.deepEqual(
        bobTokens.map((t) => [t.token, t.backgroundToken, t.silent]),
        [['fcm-token-2', undefined, true]],
      );
      assert.deepEqual(JSON.parse((await store.addressBooks.get(ALICE))?.document ?? '{}'), ALICE_BOOK);
      // m2 asked for `display` and was not read: it counts, as on the old server (sylk spec §3.7).
      assert.equal((await store.journal.unread(ALICE)).total, 1);
      const bob = await store.journal.after(BOB, undefined, 100);
      assert.deepEqual(
        bob.entries.map((e) => [e.messageId, e.direction, e.state, e.content, e.timestamp]),
        BOB_ENTRIES.map((e) => [
          e.message_id,
          e.direction,
          e.state,
          e.content,
          e.msg_timestamp.replace(' ', 'T'),
        ]),
      );
      const lastLogin = (await store.storageAccounts.get(ALICE))?.lastLogin;
      assert.equal(lastLogin, new Date(2024, 4, 2, 9, 0, 0, 0).getTime());
    } finally {
      await store.close();
    }

    const missive = await MissiveProcess.start({ domain: 'example.com', users: [], dataDir });
    try {
      const history = async (account: string, token: string): Promise<Response> =>
        fetch(`http://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/messages/history/${account}`, {
          headers: { Authorization: `Apikey ${token}` },
        });
      const response = await history(ALICE, ALICE_TOKEN);
      assert.equal(response.status, 200, 'the old server’s API token works on missive');
      const body = (await response.json()) as { account: string; messages: unknown[] };
      assert.deepEqual(body, { account: ALICE, messages: ALICE_ENTRIES.map(historyMessage) });
      // From a message id on, as a device that synced with SylkServer continues.
      const after = await fetch(
        `http://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/messages/history/${ALICE}/m2`,
        { headers: { Authorization: `Apikey ${ALICE_TOKEN}` } },
      );
      assert.deepEqual(
        ((await after.json()) as { messages: { message_id: string }[] }).messages.map((m) => m.message_id),
        ['i1', 'r1', 'f1'],
      );
      assert.equal((await history(BOB, ALICE_TOKEN)).status, 401);
    } finally {
      await missive.stop();
    }
  });

  test('a dry run says what it would import and writes nothing', async () => {
    const dataDir = join(dir, 'dry');
    const run = await importInto(dataDir, '--dry-run');
    assert.match(run.stdout, /^Dry run: nothing written\. From SylkServer files in /m);
    assert.match(run.stdout, /^ {2}messages: 7 would be imported, 0 already there$/m);
    await assert.rejects(readFile(join(dataDir, 'missive.db')), { code: 'ENOENT' });
  });

  test('uploaded files are copied once, under the same paths', async () => {
    const dataDir = join(dir, 'files-data');
    const transfers = join(dir, 'file_transfers');
    const file = join('a', 'hash-one', 'hash-two', 'transfer-1', 'photo.png');
    await mkdir(join(transfers, 'a', 'hash-one', 'hash-two', 'transfer-1'), { recursive: true });
    await writeFile(join(transfers, file), Buffer.from([1, 2, 3]));
    const first = await importInto(dataDir, '--file-transfers', transfers);
    assert.match(first.stdout, /uploaded files: 1 copied to .*file_transfers, 0 already there/);
    assert.deepEqual([...(await readFile(join(dataDir, 'file_transfers', file)))], [1, 2, 3]);
    const second = await importInto(dataDir, '--file-transfers', transfers);
    assert.match(second.stdout, /uploaded files: 0 copied to .*, 1 already there/);
  });

  test('usage errors exit 2 and say what to give', async () => {
    const none = await runTypeScript('src/cli/main.ts', ['import', 'sylkserver'], {
      timeoutMs: PROCESS_START_MS,
    });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--storage-dir DIR or --cassandra/);
    const notThere = await runTypeScript(
      'src/cli/main.ts',
      ['import', 'sylkserver', '--storage-dir', join(dir, 'nope')],
      {
        timeoutMs: PROCESS_START_MS,
      },
    );
    assert.equal(notThere.code, 2);
    assert.match(notThere.stderr, /is not a SylkServer storage_dir/);
  });
});
