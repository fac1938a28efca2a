/**
 * Nothing acknowledged is lost, with sipp as the sender: `missive serve` is killed with SIGKILL while sipp
 * sends CPIM MESSAGEs over UDP (as a proxy in front would: trusted source, X-Sylk-App), each with its Call-ID
 * as imdn.Message-ID. sipp's message trace says which MESSAGEs got a 200; after a restart on the same data
 * every one of them is in the recipient's journal, and none twice.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { eventually, PROCESS_START_MS } from '../support/wait.js';
import { makeWorkDir, removeWorkDir } from './harness/paths.js';
import { LOOPBACK } from '../support/ports.js';
import { describeSipp, SippProcess } from './harness/sipp.js';
import { acknowledgedCallIds } from './harness/sipp-stats.js';
import { missingPeers } from './harness/tools.js';

const DOMAIN = 'crash.test';
const RECIPIENT = `bob@${DOMAIN}`;
/** Kill once sipp has counted this many successful MESSAGEs (more are in flight at that moment). */
const KILL_AFTER = 200;

async function journalIds(storeUri: string): Promise<string[]> {
  const store = await openStore(storeUri);
  try {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.journal.after(RECIPIENT, cursor, 1000);
      ids.push(...page.entries.map((entry) => entry.messageId));
      cursor = page.next;
      if (!page.hasMore) return ids;
    }
  } finally {
    await store.close();
  }
}

describe('crash with sipp: kill -9 of missive serve while sipp sends', {
  skip: missingPeers(['sipp']) ?? false,
  // A hang guard: two starts of missive serve and a sipp run.
  timeout: 5 * PROCESS_START_MS,
}, () => {
  test('every MESSAGE sipp saw answered 200 is in the journal after a restart, none twice', async (t) => {
    const users: [string, string][] = [
      ['alice', 'secret'],
      ['bob', 'secret'],
    ];
    const trusted = [`${LOOPBACK}/32`];
    // One sender streams as fast as missive answers: far over the per-sender default (--message-rate), which is
    // not under test here.
    const args = ['--message-rate', '100000', '--message-burst', '100000'];
    let server = await MissiveProcess.start({ domain: DOMAIN, users, trustedPeers: trusted, args });
    const workDir = makeWorkDir('crash-sipp');
    try {
      const sipp = await SippProcess.spawn({
        scenario: 'message-uac-cpim',
        target: `${LOOPBACK}:${String(server.ports.sip)}`,
        service: 'bob',
        from: 'alice',
        domain: DOMAIN,
        count: 5000,
        // A closed loop (40 MESSAGEs in flight, a new one when one ends) rather than a fixed rate: at 400/s
        // a loaded machine's missive fell behind, sipp timed out every call and ran out of calls before the
        // first 200s.
        users: 40,
        // Shorter than the grace of sipp.stop() below: the MESSAGEs the kill cut off are counted as failed.
        recvTimeoutMs: 2000,
        timeoutMs: 60_000,
        workDir,
        extraArgs: ['-trace_msg'],
      });
      await eventually(
        () => {
          assert.ok(sipp.child.running, 'sipp ended before its first 200s');
          return (sipp.stats()?.successful ?? 0) >= KILL_AFTER;
        },
        'sipp to get its first 200s',
        { timeoutMs: PROCESS_START_MS },
      );
      await server.kill();
      const result = await sipp.stop(3000);
      const trace = readdirSync(workDir).find((name) => name.endsWith('_messages.log'));
      assert.ok(trace !== undefined, `no message trace: ${describeSipp(result)}`);
      const acknowledged = acknowledgedCallIds(readFileSync(join(workDir, trace), 'utf8'));
      assert.ok(acknowledged.size >= KILL_AFTER, `${String(acknowledged.size)} acknowledged`);
      assert.ok((result.stats?.failed ?? 0) > 0, 'some MESSAGEs were cut off by the kill');

      server = await MissiveProcess.start({
        domain: DOMAIN,
        users,
        dataDir: server.dataDir,
        trustedPeers: trusted,
      });
      const ids = await journalIds(server.storeUri);
      const stored = new Set(ids);
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], 'every acknowledged MESSAGE survived the crash');
      assert.equal(stored.size, ids.length, 'no MESSAGE stored twice');
      t.diagnostic(
        `sipp: ${String(result.stats?.successful ?? 0)} answered, ${String(result.stats?.failed ?? 0)} cut off; ` +
          `200s in the trace ${String(acknowledged.size)}, in the journal ${String(ids.length)}`,
      );
    } finally {
      await server.stop();
      removeWorkDir(workDir);
    }
  });
});
