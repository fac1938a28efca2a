/**
 * `node --import tsx bench/msrp/idle-heap.ts [--sessions N] [--baseline DIR] [--keep]`: what an idle authenticated
 * session keeps on missive's JS heap, by object kind. The relay runs with `--heapsnapshot-signal`; a
 * snapshot (which collects garbage first) is taken before and after opening N idle sessions (AUTH 401 +
 * 200, no SEND), and the difference is printed per constructor: count per session and bytes per session.
 * Unlike the bench's PSS row it does not count garbage not yet collected nor native memory (sockets'
 * libuv handles, kernel buffers), so it tells which objects a change added or removed. `--baseline DIR`:
 * another build (a copy of a checkout with its `dist/` built); `--keep`: leave the snapshots for DevTools.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sleep } from './net.js';
import { startMissive } from './relays/missive.js';
import type { RunningRelay } from './relays/relay.js';
import { closeAll, openIdleSessions } from './workloads/idle-sessions.js';

interface Kind {
  count: number;
  bytes: number;
}

/** Self size and count per `type:name` of every node of a V8 heap snapshot. */
function kindsOf(file: string): Map<string, Kind> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const kinds = new Map<string, Kind>();
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? ''
        : strings[nodes[i + nameAt] ?? 0];
    const key = `${type}:${(name ?? '').slice(0, 60)}`;
    const kind = kinds.get(key) ?? { count: 0, bytes: 0 };
    kind.count++;
    kind.bytes += nodes[i + sizeAt] ?? 0;
    kinds.set(key, kind);
  }
  return kinds;
}

async function snapshot(relay: RunningRelay, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(relay.pid, 'SIGUSR2');
  for (let waited = 0; waited < 120_000; waited += 200) {
    await sleep(200);
    const file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    if (file === undefined) continue;
    const path = join(dir, file);
    // Written in one go: wait until its size holds still.
    let size = -1;
    for (;;) {
      const now = readFileSync(path).length;
      if (now === size && now > 0) return path;
      size = now;
      await sleep(500);
    }
  }
  throw new Error('no heap snapshot');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string', default: '2000' },
      baseline: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.sessions);
  const workDir = mkdtempSync(join(tmpdir(), 'missive-idle-heap-'));
  const relay = await startMissive({
    transport: 'tcp',
    keyFile: '',
    certFile: '',
    core: 1,
    fdLimit: 16_384,
    workDir,
    nodeOptions: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${workDir}`],
    ...(values.baseline === undefined
      ? {}
      : { missiveMain: join(values.baseline, 'dist', 'src', 'cli', 'main.js') }),
  });
  try {
    closeAll(
      await openIdleSessions({
        relayPort: relay.port,
        transport: 'tcp',
        count: 200,
        parallel: 32,
        timeoutMs: 30_000,
      }),
    );
    await sleep(1000);
    const first = kindsOf(await snapshot(relay, workDir));
    const clients = await openIdleSessions({
      relayPort: relay.port,
      transport: 'tcp',
      count,
      parallel: 64,
      timeoutMs: 300_000,
    });
    const second = kindsOf(await snapshot(relay, workDir));
    closeAll(clients);
    const rows: [string, number, number][] = [];
    let total = 0;
    for (const [key, kind] of second) {
      const was = first.get(key) ?? { count: 0, bytes: 0 };
      const bytes = (kind.bytes - was.bytes) / count;
      total += bytes;
      if (Math.abs(bytes) >= 4) rows.push([key, (kind.count - was.count) / count, bytes]);
    }
    rows.sort((a, b) => b[2] - a[2]);
    for (const [key, objects, bytes] of rows) {
      process.stdout.write(`${bytes.toFixed(1).padStart(8)} B ${objects.toFixed(2).padStart(6)} × ${key}\n`);
    }
    process.stdout.write(
      `${total.toFixed(0).padStart(8)} B per idle session on the JS heap (${count} sessions)\n`,
    );
  } finally {
    await relay.stop();
    if (values.keep) process.stdout.write(`snapshots kept in ${workDir}\n`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
