/**
 * RFC 2782's order of SRV targets: lowest priority first; within a priority, a weighted random choice
 * repeated until none is left (weight-0 records first in the running sum, so they are rarely picked first).
 * Records are shuffled first, so that ties (several weight-0 records) are broken at random rather than by the
 * order the DNS server sent. A single record whose target is "." means the service is not offered there.
 */
import type { SrvRecord } from './records.js';

/** A uniform random number in [0, 1), as Math.random; injected so that tests can seed it. */
export type Random = () => number;

export function orderSrv(records: readonly SrvRecord[], random: Random = Math.random): SrvRecord[] {
  if (records.length === 1 && isNoService(records[0])) return [];
  const byPriority = new Map<number, SrvRecord[]>();
  for (const record of records) {
    if (isNoService(record)) continue;
    const group = byPriority.get(record.priority);
    if (group === undefined) byPriority.set(record.priority, [record]);
    else group.push(record);
  }
  const priorities = [...byPriority.keys()].sort((a, b) => a - b);
  return priorities.flatMap((priority) => weightedShuffle(byPriority.get(priority) ?? [], random));
}

function weightedShuffle(group: readonly SrvRecord[], random: Random): SrvRecord[] {
  // Weight 0 first: they then own no share of the running sum but the single point at its start.
  const left = shuffle(group, random).sort((a, b) => (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1));
  const ordered: SrvRecord[] = [];
  while (left.length > 0) {
    const total = left.reduce((sum, record) => sum + record.weight, 0);
    // "A uniform random number between 0 and the sum computed (inclusive)."
    const pick = Math.floor(random() * (total + 1));
    let running = 0;
    let index = left.length - 1;
    for (let i = 0; i < left.length; i++) {
      running += left[i]?.weight ?? 0;
      if (running >= pick) {
        index = i;
        break;
      }
    }
    ordered.push(...left.splice(index, 1));
  }
  return ordered;
}

/** Fisher-Yates. */
function shuffle<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = item;
  }
  return copy;
}

function isNoService(record: SrvRecord | undefined): boolean {
  return record !== undefined && (record.name === '' || record.name === '.');
}
