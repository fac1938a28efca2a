// `missive db dbinit` (sylk spec §6) run as a real process against the Cassandra node: it says what the
// keyspace lacks, asks, creates it only on yes (or with --yes), and then finds nothing to do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConformanceBackend } from './backends.js';
import { cassandraBackend } from './cassandra-backend.js';
import { runTypeScript } from './processes.js';

const TIMEOUT = { timeout: 180_000 };

function db(args: readonly string[], input = '') {
  return runTypeScript('src/cli/main.ts', ['db', ...args], { timeoutMs: 90_000, input });
}

describe('missive db dbinit on Cassandra', TIMEOUT, () => {
  let backend: ConformanceBackend;
  before(async () => {
    backend = await cassandraBackend();
  });
  after(async () => {
    await backend.close();
  });

  it('asks before creating; n creates nothing, y creates the keyspace and every table', async () => {
    const target = await backend.fresh();
    const declined = await db(['dbinit', '--store', target.uri], 'n\n');
    assert.equal(declined.code, 1, declined.stderr);
    assert.match(declined.stdout, /Keyspace missive_test_\w+ is not defined on the server/);
    assert.match(declined.stdout, /Table chat_messages_by_timestamp is not in the keyspace/);
    assert.match(declined.stderr, /Would you like to continue\? \(Enter y\/n\)/);
    assert.equal(await target.tableExists('chat_accounts'), false);

    const accepted = await db(['dbinit', '--store', target.uri], 'y\n');
    assert.equal(accepted.code, 0, accepted.stderr);
    for (const table of [
      'push_tokens',
      'chat_accounts',
      'chat_messages_by_timestamp',
      'missive_storage_account',
      'missive_subscriber',
      'missive_location',
    ]) {
      assert.match(accepted.stdout, new RegExp(`Created table ${table} in the keyspace`));
      assert.ok(await target.tableExists(table), table);
    }

    const again = await db(['dbinit', '--store', target.uri]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Keyspace missive_test_\w+ is already on the server\./);
    assert.match(again.stdout, /Table public_key_by_account is in the keyspace/);
    assert.match(again.stdout, /has every table: nothing to do/);
  });

  it('--yes creates what is missing in an existing keyspace without asking', async () => {
    const target = await backend.fresh();
    const keyspace = target.table('x').split('.')[0]!;
    await target.query(
      `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await target.query(
      `CREATE TABLE ${keyspace}.chat_accounts (account text PRIMARY KEY, api_token text, last_login timestamp)`,
    );
    await target.query(`INSERT INTO ${keyspace}.chat_accounts (account, last_login) VALUES (?, ?)`, [
      'a@example.com',
      1,
    ]);
    const result = await db(['dbinit', '--yes', '--store', target.uri]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /Would you like/);
    assert.match(result.stdout, /Table chat_accounts is in the keyspace/);
    assert.doesNotMatch(result.stdout, /Created table chat_accounts/);
    assert.match(result.stdout, /Created table push_tokens in the keyspace/);
    assert.equal((await target.query(`SELECT account FROM ${keyspace}.chat_accounts`)).length, 1);
  });
});
