/**
 * `npm run bench:history [-- --entries N --kib K --budget BYTES]`: the peak memory of serving an account of
 * N entries of K KiB each (default 5000 × 64 KiB, 320 MiB of content) through the legacy history and the
 * journal cursor API, each read to the end by following the paging as a client does. Every run is a fresh
 * server process (server.ts) on the same SQLite file; the figure is its peak resident set (VmHWM) over the
 * run, and above its resident set once listening. Prints a table; not a timed test.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateApiToken, openStore } from '../../src/store/index.js';
import type { ServerReport } from './server.js';

const ACCOUNT = 'big@example.com';
const MIB = 1024 * 1024;

interface Read {
  readonly pages: number;
  readonly entries: number;
  readonly bytes: number;
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function populate(uri: string, entries: number, kib: number, token: string): Promise<void> {
  const store = await openStore(uri);
  try {
    await store.storageAccounts.setToken(ACCOUNT, token, Date.now());
    const body = 'x'.repeat(kib * 1024 - 8);
    for (let start = 0; start < entries; start += 500) {
      const items = Array.from({ length: Math.min(500, entries - start) }, (_, k) => ({
        account: ACCOUNT,
        entry: {
          messageId: `m${String(start + k).padStart(6, '0')}`,
          contact: 'bob@example.com',
          direction: 'incoming' as const,
          contentType: 'text/plain',
          content: `${String(start + k).padStart(8, '0')}${body}`,
          disposition: null,
          state: 'received' as const,
          timestamp: '2024-05-01T12:00:00+02:00',
        },
      }));
      await store.journal.appendBatch(items, Date.now());
    }
  } finally {
    await store.close();
  }
}

async function get(url: string, token: string): Promise<{ body: string; more: boolean }> {
  const response = await fetch(url, { headers: { Authorization: `Apikey ${token}` } });
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return { body: await response.text(), more: response.headers.get('x-missive-has-more') === 'true' };
}

/** Every entry through the legacy endpoint, paging on with the last message_id while the header says more. */
async function readHistory(base: string, token: string): Promise<Read> {
  let pages = 0;
  let entries = 0;
  let bytes = 0;
  let last = '';
  for (;;) {
    const page = await get(`${base}/webrtcgateway/messages/history/${ACCOUNT}${last}`, token);
    const messages = (JSON.parse(page.body) as { messages: { message_id: string }[] }).messages;
    pages++;
    entries += messages.length;
    bytes += Buffer.byteLength(page.body);
    if (!page.more) return { pages, entries, bytes };
    last = `/${messages.at(-1)?.message_id ?? ''}`;
  }
}

/** Every entry through the cursor API, forward from the start, 5000 at a time. */
async function readJournal(base: string, token: string): Promise<Read> {
  let pages = 0;
  let entries = 0;
  let bytes = 0;
  let cursor = 'j0';
  for (;;) {
    const page = await get(
      `${base}/webrtcgateway/messages/journal/${ACCOUNT}?after=${cursor}&limit=5000`,
      token,
    );
    const parsed = JSON.parse(page.body) as { entries: unknown[]; next: string; has_more: boolean };
    pages++;
    entries += parsed.entries.length;
    bytes += Buffer.byteLength(page.body);
    if (!parsed.has_more) return { pages, entries, bytes };
    cursor = parsed.next;
  }
}

function message<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (value) => {
      resolve(value as T);
    });
    child.once('exit', (code) => {
      reject(new Error(`server exited (${String(code)})`));
    });
  });
}

async function serve(
  uri: string,
  budget: string | undefined,
  read: (base: string) => Promise<Read>,
): Promise<Read & ServerReport> {
  const args = budget === undefined ? [uri] : [uri, budget];
  const child = fork(new URL('./server.ts', import.meta.url), args, {
    execArgv: ['--import', 'tsx', '--expose-gc'],
  });
  try {
    const { port } = await message<{ port: number }>(child);
    const result = await read(`http://127.0.0.1:${String(port)}`);
    const reply = message<ServerReport>(child);
    child.send('report');
    return { ...result, ...(await reply) };
  } finally {
    child.kill();
  }
}

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '5000' },
    kib: { type: 'string', default: '64' },
    budget: { type: 'string' },
  },
});
const entries = Number(values.entries);
const kib = Number(values.kib);
const dir = await mkdtemp(join(tmpdir(), 'missive-bench-history-'));
try {
  const uri = `sqlite://${join(dir, 'history.db')}`;
  const token = generateApiToken();
  log(`populating ${String(entries)} × ${String(kib)} KiB`);
  await populate(uri, entries, kib, token);
  const rows: [string, (base: string) => Promise<Read>][] = [
    ['legacy history', (base) => readHistory(base, token)],
    ['journal ?after&limit=5000', (base) => readJournal(base, token)],
  ];
  const lines = [
    `${String(entries)} entries × ${String(kib)} KiB, budget ${values.budget ?? 'default'}; Node ${process.version}`,
    '| endpoint | pages | entries read | body MiB | server peak RSS MiB | peak − idle MiB |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [label, read] of rows) {
    let r: Read & ServerReport;
    try {
      r = await serve(uri, values.budget, read);
    } catch (error) {
      // The unbounded answer of old: past V8's longest string, a 500.
      lines.push(`| ${label} | failed: ${String(error)} | | | | |`);
      log(lines.at(-1) ?? '');
      continue;
    }
    if (r.entries !== entries) throw new Error(`${label}: read ${String(r.entries)} of ${String(entries)}`);
    lines.push(
      `| ${label} | ${String(r.pages)} | ${String(r.entries)} | ${(r.bytes / MIB).toFixed(1)} | ` +
        `${(r.peakRss / MIB).toFixed(0)} | ${((r.peakRss - r.baselineRss) / MIB).toFixed(0)} |`,
    );
    log(lines.at(-1) ?? '');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
