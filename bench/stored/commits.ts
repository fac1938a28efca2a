/**
 * `npm run bench:stored -- --commits`: what group commit saves in the store itself, side by side in one
 * process: a MESSAGE's two journal entries (appendBatch of the sender's and the recipient's copy) with one
 * commit per MESSAGE, then with 10 and 100 MESSAGEs sharing a commit (appends made together, as the group
 * commit gathers them), on SQLite (synchronous = FULL) in a temporary directory. Reports the process's CPU
 * (user + system, process.cpuUsage) and wall time per MESSAGE, medians of `rounds` rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NewEntry, openStore, type Store } from '../../src/store/index.js';
import { median } from '../msrp/stats.js';

const MESSAGES = 2000;
const GROUPS = [1, 10, 100] as const;

function entry(id: string, direction: 'incoming' | 'outgoing'): NewEntry {
  return {
    messageId: id,
    contact: direction === 'incoming' ? 'sender@example.test' : 'bench@example.test',
    direction,
    contentType: 'text/plain',
    content: `sipp message ${id}`,
    disposition: null,
    state: direction === 'incoming' ? 'received' : 'accepted',
    timestamp: '2026-12-07T04:00:00Z',
  };
}

interface Cost {
  readonly cpuUs: number;
  readonly wallUs: number;
}

async function measure(store: Store, label: string, group: number): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i += group) {
    const pending: Promise<unknown>[] = [];
    for (let k = 0; k < group; k++) {
      const id = `${label}-${String(i + k)}`;
      pending.push(
        store.journal.appendBatch(
          [
            { account: 'sender@example.test', entry: entry(id, 'outgoing') },
            { account: 'bench@example.test', entry: entry(id, 'incoming') },
          ],
          Date.now(),
        ),
      );
    }
    await Promise.all(pending);
  }
  const used = process.cpuUsage(cpu);
  return {
    cpuUs: (used.user + used.system) / MESSAGES,
    wallUs: ((performance.now() - start) * 1000) / MESSAGES,
  };
}

export async function measureCommits(rounds: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-stored-commits-'));
  const store = await openStore(`sqlite://${join(dir, 'missive.db')}`);
  const costs = new Map<number, Cost[]>(GROUPS.map((group) => [group, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const group of GROUPS)
        costs.get(group)?.push(await measure(store, `r${String(round)}g${String(group)}`, group));
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `SQLite, synchronous = FULL: a MESSAGE's two journal entries, ${String(MESSAGES)} MESSAGEs a round, medians of ${String(rounds)} rounds`,
    '',
    '| MESSAGEs per commit | CPU µs per MESSAGE (user + system) | wall µs per MESSAGE |',
    '|---:|---:|---:|',
  ];
  for (const group of GROUPS) {
    const list = costs.get(group) ?? [];
    lines.push(
      `| ${String(group)} | ${median(list.map((c) => c.cpuUs)).toFixed(0)} | ${median(list.map((c) => c.wallUs)).toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
