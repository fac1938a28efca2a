/**
 * `node --import tsx bench/ws/heap-summary.ts BEFORE.heapsnapshot AFTER.heapsnapshot CONNECTIONS`: where a
 * server's heap goes per connection. Sums the self size of the snapshot's objects by type and constructor name in both snapshots and prints the
 * largest growths, each as bytes per connection and objects per connection (a type with about one object per
 * connection, or a multiple, is kept per connection). Written for `npm run bench:ws -- --snapshot`.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  readonly snapshot: {
    readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] };
  };
  readonly nodes: number[];
  readonly strings: string[];
}

export interface HeapGroup {
  readonly name: string;
  readonly count: number;
  readonly bytes: number;
}

export function summarizeHeap(snapshot: Snapshot): HeapGroup[] {
  const fields = snapshot.snapshot.meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snapshot.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt] ?? 0] ?? '?';
    const rawName = strings[nodes[i + nameAt] ?? 0] ?? '?';
    // Strings and code are grouped by type alone: their names are their contents.
    const name =
      type === 'object' || type === 'native' || type === 'closure' || type === 'array' || type === 'hidden'
        ? `${type} ${rawName.slice(0, 60)}`
        : type;
    const group = groups.get(name) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += nodes[i + sizeAt] ?? 0;
    groups.set(name, group);
  }
  return [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => b.bytes - a.bytes);
}

/** after − before per group, largest first. */
export function heapGrowth(before: readonly HeapGroup[], after: readonly HeapGroup[]): HeapGroup[] {
  const base = new Map(before.map((g) => [g.name, g]));
  return after
    .map((g) => ({
      name: g.name,
      count: g.count - (base.get(g.name)?.count ?? 0),
      bytes: g.bytes - (base.get(g.name)?.bytes ?? 0),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

export const loadHeapGroups = (file: string): HeapGroup[] =>
  summarizeHeap(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);

const [beforeFile, afterFile, connectionsText] = process.argv.slice(2);
if (afterFile !== undefined && import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const connections = Number(connectionsText ?? 1);
  const groups = heapGrowth(
    beforeFile === undefined ? [] : loadHeapGroups(beforeFile),
    loadHeapGroups(afterFile),
  );
  const total = groups.reduce((sum, g) => sum + g.bytes, 0);
  process.stdout.write(
    `heap growth ${(total / 2 ** 20).toFixed(1)} MiB, ${(total / connections).toFixed(0)} B per connection\n`,
  );
  process.stdout.write('| bytes/conn | objects/conn | type and constructor |\n|---:|---:|---|\n');
  for (const g of groups.slice(0, 40)) {
    process.stdout.write(
      `| ${(g.bytes / connections).toFixed(0)} | ${(g.count / connections).toFixed(2)} | ${g.name} |\n`,
    );
  }
}
