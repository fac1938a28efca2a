// `missive import sylkserver --cassandra`: a SylkServer keyspace on the real Cassandra node (scripts/cassandra/
// node.sh), with the reference's tables and rows as its models write them (sylk spec §3.11), imported into a
// fresh SQLite data directory and read back through a real `missive serve`'s history API; idempotent.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import { MissiveProcess } from '../../support/missive-process.js';
import { LOOPBACK } from '../../support/ports.js';
import type { ConformanceBackend, SqlValue, StoreTarget } from '../../store/backends.js';
import { cassandraBackend } from '../../store/cassandra-backend.js';
import { runTypeScript } from '../../store/processes.js';
import { SYLKSERVER_TABLES } from '../../store/sylkserver-keyspace.js';
import {
  ALICE,
  ALICE_ENTRIES,
  ALICE_KEY,
  ALICE_TOKEN,
  BOB,
  BOB_ENTRIES,
  type SylkEntry,
} from './sylkserver-data.js';
import { PROCESS_START_MS } from '../../support/wait.js';

// A hang guard for the whole suite: it runs the CLI as child processes, each up to PROCESS_START_MS when loaded.
const TIMEOUT = { timeout: 5 * PROCESS_START_MS };

/** Cassandra keeps instants: a naive file-backend time read as UTC, as the reference's driver writes it. */
const instant = (text: string): number =>
  Date.parse(`${text.replace(' ', 'T')}${/[+-]\d\d:\d\d$/.test(text) ? '' : 'Z'}`);

/** Cassandra's timestamps have milliseconds and are rendered +00:00 (sylk spec §3.12). */
function historyMessage(e: SylkEntry): Record<string, unknown> {
  const iso = new Date(instant(e.msg_timestamp)).toISOString();
  const micro = iso.slice(20, 23) === '000' ? '' : `.${iso.slice(20, 23)}000`;
  return {
    contact: e.contact,
    timestamp: `${iso.slice(0, 19)}${micro}+00:00`,
    // Cassandra stores an empty list as null, and so SylkServer on Cassandra answers null.
    disposition: e.disposition === null || e.disposition.length === 0 ? null : e.disposition,
    message_id: e.message_id,
    content_type: e.content_type,
    content: e.content,
    direction: e.direction,
    state: e.state,
  };
}

describe('missive import sylkserver: a Cassandra keyspace', TIMEOUT, () => {
  let backend: ConformanceBackend;
  let target: StoreTarget;
  let dir: string;
  let uri: string;

  before(async () => {
    backend = await cassandraBackend();
    target = await backend.fresh();
    const keyspace = target.table('x').split('.')[0]!;
    uri = target.uri;
    await target.query(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    for (const statement of SYLKSERVER_TABLES) {
      await target.query(
        statement.replace(/CREATE TABLE (\w+)/, (_, table: string) => `CREATE TABLE ${target.table(table)}`),
      );
    }
    await target.query(
      `INSERT INTO ${target.table('chat_accounts')} (account, api_token, last_login) VALUES (?, ?, ?) USING TTL 2678400`,
      [ALICE, ALICE_TOKEN, Date.parse('2024-05-02T09:00:00Z')],
    );
    await target.query(`INSERT INTO ${target.table('chat_accounts')} (account, last_login) VALUES (?, ?)`, [
      BOB,
      Date.parse('2024-05-02T09:30:00Z'),
    ]);
    await target.query(
      `INSERT INTO ${target.table('public_key_by_account')} (account, public_key, created_at) VALUES (?, ?, ?)`,
      [ALICE, ALICE_KEY, Date.parse('2024-04-01T08:00:00Z')],
    );
    await target.query(
      `INSERT INTO ${target.table('push_tokens')} (username, domain, device_id, app_id, background_token,
        device_token, platform, silent, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        'alice',
        'example.com',
        'd1',
        'com.agprojects.sylk-ios',
        'bg-token-1',
        'voip-token-1',
        'ios',
        '0',
        'Sylk 5.3',
      ],
    );
    for (const e of [...ALICE_ENTRIES, ...BOB_ENTRIES]) {
      await target.query(
        `INSERT INTO ${target.table('chat_messages_by_timestamp')} (account, created_at, message_id, contact,
          direction, content, content_type, disposition, state, msg_timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          e.account,
          instant(e.created_at),
          e.message_id,
          e.contact,
          e.direction,
          e.content,
          e.content_type,
          // The harness passes values to the driver as they are; a list<text> takes an array.
          e.disposition as unknown as SqlValue,
          e.state,
          instant(e.msg_timestamp),
        ],
      );
    }
    dir = await mkdtemp(join(tmpdir(), 'missive-import-cassandra-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await backend.close();
  });

  const importInto = (dataDir: string) =>
    runTypeScript('src/cli/main.ts', ['import', 'sylkserver', '--cassandra', uri, '--data-dir', dataDir], {
      timeoutMs: PROCESS_START_MS,
    });

  test('imports accounts, the live API token, keys, tokens and every message; a second run imports nothing', async () => {
    const dataDir = join(dir, 'data');
    const first = await importInto(dataDir);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^From SylkServer's Cassandra keyspace /m);
    assert.match(first.stdout, /^ {2}accounts: 2 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}api tokens: 1 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}public keys: 1 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}push tokens: 1 imported, 0 already there$/m);
    assert.match(first.stdout, /^ {2}messages: 7 imported, 0 already there$/m);
    const second = await importInto(dataDir);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^ {2}messages: 0 imported, 7 already there$/m);
    assert.match(second.stdout, /^ {2}api tokens: 0 imported, 1 already there$/m);

    const store = await openStore(`sqlite://${join(dataDir, 'missive.db')}`);
    try {
      const tokens = await store.pushTokens.list(ALICE);
      assert.deepEqual(
        tokens.map((t) => [t.appId, t.deviceId, t.token, t.backgroundToken]),
        [['com.agprojects.sylk-ios', 'd1', 'voip-token-1', 'bg-token-1']],
      );
      assert.equal((await store.storageAccounts.get(BOB))?.lastLogin, Date.parse('2024-05-02T09:30:00Z'));
      assert.equal((await store.storageAccounts.get(BOB))?.tokenExpiresAt, undefined);
    } finally {
      await store.close();
    }

    const missive = await MissiveProcess.start({ domain: 'example.com', users: [], dataDir });
    try {
      const response = await fetch(
        `http://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/messages/history/${ALICE}`,
        { headers: { Authorization: `Apikey ${ALICE_TOKEN}` } },
      );
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        account: ALICE,
        messages: ALICE_ENTRIES.map(historyMessage),
      });
    } finally {
      await missive.stop();
    }
  });
});
