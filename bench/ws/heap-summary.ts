/**
 * `node --import tsx bench/ws/heap-summary.ts BEFORE.heapsnapshot AFTER.heapsnapshot CONNECTIONS`: where a
 * server's heap goes per connection. Sums the self size of the snapshot's objects by type and constructor name in both snapshots and prints the
 * largest growths, each as bytes per connection and objects per connection (a type with about one object per
 * connection, or a multiple, is kept per connection). Written for `npm run bench:ws -- --snapshot`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/**
 * The growth between two snapshots, computed in a child process with room for a large snapshot (a server
 * holding 20,000 connections writes some 300 MB of JSON): a parse that runs out of memory there leaves the
 * benchmark and its figures alone.
 */
export function heapGrowthOf(beforeFile: string, afterFile: string): HeapGroup[] {
  const result = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=8192',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      beforeFile,
      afterFile,
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`heap summary failed: ${result.stderr.slice(-500)}`);
  return JSON.parse(result.stdout) as HeapGroup[];
}

const [beforeFile, afterFile, third] = process.argv.slice(2);
if (afterFile !== undefined && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const groups = heapGrowth(
    beforeFile === undefined ? [] : loadHeapGroups(beforeFile),
    loadHeapGroups(afterFile),
  );
  if (third === '--json') {
    process.stdout.write(JSON.stringify(groups.slice(0, 60)));
  } else {
    const connections = Number(third ?? 1);
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
}
