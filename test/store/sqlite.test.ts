// The store conformance suite on SQLite (temporary files), and what only SQLite has: its pragmas, the
// file's absence, and the speed of a lookup.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, StoreError } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteBackend } from './backends.js';
import { makeBinding, T0 } from './bindings.js';
import { runConformanceSuite } from './conformance.js';

runConformanceSuite('SQLite', sqliteBackend);

describe('SQLite store', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-sqlite-store-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('commits durably: WAL, synchronous FULL, a busy timeout', async () => {
    const store = await openSqliteStore(
      { dialect: 'sqlite', path: join(dir, 'pragmas.db'), ignoredParameters: [] },
      {
        busyTimeoutMs: 750,
      },
    );
    try {
      assert.deepEqual(store.pragmas(), { journalMode: 'wal', synchronous: 2, busyTimeoutMs: 750 });
    } finally {
      await store.close();
    }
  });

  it('with create: false, refuses a missing file instead of creating it', async () => {
    const path = join(dir, 'missing.db');
    await assert.rejects(openStore(`sqlite://${path}`, { create: false }), /no database at/);
    const created = await openStore(`sqlite://${path}`);
    await created.close();
    const reopened = await openStore(`sqlite://${path}`, { create: false });
    await reopened.close();
  });

  it('says so when the directory does not exist', async () => {
    await assert.rejects(
      openStore(`sqlite://${join(dir, 'no', 'such', 'dir', 'x.db')}`),
      (error: unknown) => {
        assert.ok(error instanceof StoreError);
        assert.match(error.message, /directory does not exist/);
        return true;
      },
    );
  });

  it('looks up an AOR in microseconds', async (t) => {
    const store = await openStore(`sqlite://${join(dir, 'speed.db')}`);
    t.after(() => store.close());
    const aors = 500;
    const started = process.hrtime.bigint();
    for (let i = 0; i < aors; i++) {
      for (let device = 0; device < 3; device++) {
        await store.locations.upsert(
          makeBinding({ aor: `sip:user${i}@example.com`, contact: `sip:user${i}@192.0.2.${device}:5060` }),
        );
      }
    }
    const upsertMicros = Number(process.hrtime.bigint() - started) / 1000 / (aors * 3);
    const lookups = 20_000;
    // CPU time, not wall time: other test files' processes share the machine's cores.
    const cpuBefore = process.cpuUsage();
    const begin = process.hrtime.bigint();
    for (let i = 0; i < lookups; i++) {
      const found = await store.locations.lookup(`sip:user${(i * 7919) % aors}@example.com`, T0);
      if (found.length !== 3) assert.fail(`expected 3 bindings, got ${found.length}`);
    }
    const wallMicros = Number(process.hrtime.bigint() - begin) / 1000 / lookups;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMicros = (cpu.user + cpu.system) / lookups;
    t.diagnostic(
      `upsert ${upsertMicros.toFixed(1)} µs (synchronous commit); lookup of 3 bindings ${cpuMicros.toFixed(1)} µs CPU, ${wallMicros.toFixed(1)} µs wall`,
    );
    // Typically 30 to 60 µs on a slow shared machine; the bound catches a lost index or a scan.
    assert.ok(cpuMicros < 250, `a lookup took ${cpuMicros.toFixed(1)} µs of CPU`);
  });
});
