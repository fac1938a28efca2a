// `missive import sylkserver` stopped by a failed batch part-way (a real PostgreSQL error: a trigger refuses one
// message of the second batch, so that batch's transaction rolls back after the first one committed) is
// finished by running it again: the store then holds exactly what an import that never failed writes (ids,
// positions, times, states, dispositions, unread counters), and the second run counts the first batch as
// already there. A message the store refuses is named, and the rest of its batch stored.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importSylkServer } from '../../../src/import/sylkserver/importer.js';
import { SylkServerFileSource } from '../../../src/import/sylkserver/file-source.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { JOURNAL_TABLE } from '../../../src/store/tables.js';
import { type ConformanceBackend, postgresBackend } from '../../store/backends.js';
import { ALICE, ALICE_ENTRIES, BOB, BOB_ENTRIES, writeStorageDir } from './sylkserver-data.js';

const BATCH = 2;
const MESSAGES = ALICE_ENTRIES.length + BOB_ENTRIES.length;
const NOW = () => Date.parse('2026-01-01T00:00:00Z');

describe('missive import sylkserver: a run stopped by a failed batch', () => {
  let backend: ConformanceBackend;
  let dir: string;
  let storage: string;
  before(async () => {
    backend = await postgresBackend();
    dir = await mkdtemp(join(tmpdir(), 'missive-import-resume-'));
    storage = join(dir, 'storage');
    await writeStorageDir(storage);
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  const importInto = async (store: Store) => {
    const source = await SylkServerFileSource.open(storage);
    assert.ok(typeof source !== 'string', source as string);
    try {
      return await importSylkServer(source, store, { dryRun: false, now: NOW, batchSize: BATCH });
    } finally {
      await source.close();
    }
  };

  it('is finished by running it again, to the same store an uninterrupted import writes', async () => {
    const reference = await openStore((await backend.fresh()).uri);
    const target = await backend.fresh();
    const store = await openStore(target.uri);
    try {
      const clean = await importInto(reference);
      assert.equal(clean.counts.messages.imported, MESSAGES);

      // The third message is in the second batch: the first batch commits, the second fails and rolls back.
      const refused = ALICE_ENTRIES[2]?.message_id;
      assert.ok(refused !== undefined);
      await target.query(
        `CREATE FUNCTION ${target.table('refuse_one')}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
          `IF NEW.message_id = '${refused}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$`,
      );
      await target.query(
        `CREATE TRIGGER refuse_one BEFORE INSERT ON ${target.table(JOURNAL_TABLE)} ` +
          `FOR EACH ROW EXECUTE FUNCTION ${target.table('refuse_one')}()`,
      );
      await assert.rejects(importInto(store), /disk full/);
      assert.deepEqual(
        (await journalOf(store, ALICE)).map((entry) => entry.messageId),
        ALICE_ENTRIES.slice(0, BATCH).map((entry) => entry.message_id),
        'the first batch is stored, nothing of the second',
      );

      await target.query(`DROP TRIGGER refuse_one ON ${target.table(JOURNAL_TABLE)}`);
      const resumed = await importInto(store);
      assert.deepEqual(resumed.counts.messages, { imported: MESSAGES - BATCH, present: BATCH });
      for (const account of [ALICE, BOB]) {
        assert.deepEqual(await journalOf(store, account), await journalOf(reference, account), account);
        assert.deepEqual(await store.journal.unread(account), await reference.journal.unread(account));
      }
      const again = await importInto(store);
      assert.deepEqual(again.counts.messages, { imported: 0, present: MESSAGES });
    } finally {
      await store.close();
      await reference.close();
    }
  });

  it('names a message the store refuses and stores the rest of its batch', async () => {
    const carol = 'carol@example.com';
    const [first] = ALICE_ENTRIES;
    assert.ok(first !== undefined);
    const entries = ['c1', 'c2', 'c3'].map((id) => ({ ...first, account: carol, message_id: id }));
    // A content type longer than the journal takes (256): refused by the store, not by the reader.
    const refused = { ...entries[1], content_type: `text/${'x'.repeat(300)}` };
    const extra = join(dir, 'extra');
    await writeStorageDir(extra);
    await mkdir(join(extra, 'conversations', 'c'), { recursive: true });
    await writeFile(
      join(extra, 'conversations', 'c', `${carol}_messages.json`),
      JSON.stringify([entries[0], refused, entries[2]]),
    );
    const store = await openStore((await backend.fresh()).uri);
    const source = await SylkServerFileSource.open(extra);
    assert.ok(typeof source !== 'string', source as string);
    try {
      const summary = await importSylkServer(source, store, { dryRun: false, now: NOW, batchSize: 100 });
      assert.deepEqual(summary.counts.messages, { imported: MESSAGES + 2, present: 0 });
      assert.deepEqual(
        summary.problems.map((problem) => problem.where),
        [`message c2 of ${carol}`],
      );
      assert.deepEqual(
        (await journalOf(store, carol)).map((entry) => entry.messageId),
        ['c1', 'c3'],
      );
    } finally {
      await source.close();
      await store.close();
    }
  });
});

/** Every entry of the account, oldest first, without the cursor (which names the store it came from). */
async function journalOf(store: Store, account: string): Promise<Record<string, unknown>[]> {
  const page = await store.journal.latest(account, 1000);
  return page.entries.map((entry) =>
    Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'cursor')),
  );
}
