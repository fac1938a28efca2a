/**
 * Nothing accepted is lost: a real `missive serve` is killed with SIGKILL while a SIP sender (a trusted peer,
 * as a proxy in front would be) sends CPIM MESSAGEs with distinct Message-IDs. After a restart on the same
 * data directory every MESSAGE that got a 200 is in the journal, and none twice; resending acknowledged
 * MESSAGEs to the restarted server stores nothing new.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { MissiveProcess } from '../support/missive-process.js';
import { Agent } from '../support/sip-agent.js';
import { cpim, inject } from './app-fixture.js';

const DOMAIN = 'crash.test';
const B = `bob@${DOMAIN}`;
const WORKERS = 8;
/** Kill once this many MESSAGEs have been acknowledged (more are in flight at that moment). */
const KILL_AFTER = 150;

function body(id: string): string {
  return cpim({
    from: `alice@${DOMAIN}`,
    to: B,
    messageId: id,
    dateTime: '2024-05-01T10:00:00+00:00',
    disposition: 'positive-delivery, display',
    contentType: 'text/plain',
    content: `message ${id}`,
  });
}

describe('crash: kill -9 while MESSAGEs arrive', { timeout: 120_000 }, () => {
  it('every MESSAGE answered 200 is in the journal after a restart, none twice', async (t) => {
    const users: [string, string][] = [
      ['alice', 'secret'],
      ['bob', 'secret'],
    ];
    let server = await MissiveProcess.start({ domain: DOMAIN, users, trustedPeers: ['127.0.0.1/32'] });
    const dataDir = server.dataDir;
    const acked = new Set<string>();
    const sent = new Set<string>();
    let next = 0;
    let killing: Promise<void> | undefined;
    const killed = (): boolean => killing !== undefined;
    const agent = await new Agent('alice', DOMAIN, 'secret', {
      transport: 'udp',
      host: '127.0.0.1',
      port: server.ports.sip,
    }).start();
    try {
      const worker = async (): Promise<void> => {
        while (!killed()) {
          const id = `crash-${String(next++)}`;
          sent.add(id);
          let status: number | undefined;
          // No answer: the server is gone (stop), or slow (retry the same MESSAGE, as a sender would).
          while (status === undefined) {
            try {
              const answer = await inject(
                agent,
                { to: B, contentType: 'message/cpim', body: body(id) },
                3000,
              );
              status = answer.status;
            } catch {
              if (killed()) return;
            }
          }
          if (status === 200) acked.add(id);
          if (acked.size >= KILL_AFTER && !killed()) killing = server.kill();
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      await killing;
      assert.ok(acked.size >= KILL_AFTER, `acknowledged ${String(acked.size)}`);

      server = await MissiveProcess.start({ domain: DOMAIN, users, dataDir, trustedPeers: ['127.0.0.1/32'] });
      const store = await openStore(server.storeUri);
      try {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await store.journal.after(B, cursor, 1000);
          ids.push(...page.entries.map((entry) => entry.messageId));
          cursor = page.next;
          if (!page.hasMore) break;
        }
        const missing = [...acked].filter((id) => !ids.includes(id));
        assert.deepEqual(missing, [], 'every acknowledged MESSAGE survived the crash');
        assert.equal(new Set(ids).size, ids.length, 'no MESSAGE stored twice');
        assert.ok(
          ids.every((id) => sent.has(id)),
          'only MESSAGEs that were sent',
        );
        assert.equal(await store.journal.count(B), ids.length);
        t.diagnostic(
          `sent ${String(sent.size)}, answered 200 ${String(acked.size)}, in the journal ${String(ids.length)}`,
        );

        // The sender retries what it never got an answer for, and some it did: each is stored once.
        // (the first ids were acknowledged; the last ones were in flight at the kill).
        const retry = [...[...sent].slice(0, 10), ...[...sent].slice(-WORKERS)];
        const restarted = await new Agent('alice', DOMAIN, 'secret', {
          transport: 'udp',
          host: '127.0.0.1',
          port: server.ports.sip,
        }).start();
        try {
          for (const id of retry) {
            const response = await inject(restarted, { to: B, contentType: 'message/cpim', body: body(id) });
            assert.equal(response.status, 200);
          }
        } finally {
          await restarted.stop();
        }
        const after = await store.journal.count(B);
        const expected = new Set([...ids, ...retry]).size;
        assert.equal(after, expected, 'retries stored once');
        const unread = await store.journal.unread(B);
        assert.equal(unread.total, after, 'unread counters consistent with the journal after the crash');
      } finally {
        await store.close();
      }
    } finally {
      await agent.stop();
      await server.stop();
    }
  });
});
