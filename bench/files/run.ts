/**
 * `npm run bench:files [-- --bytes N --runs R]`: file transfer over HTTP through a real `missive serve`
 * (sylk spec §4.3): the upload (POST, streamed from a file on disk) and the download (GET, read and
 * discarded) of one file of N bytes (default 1 GiB), next to `cp` of the same file on the same disk (the
 * physical limit: a read and a write of every byte, as an upload's write and a download's read together).
 * Each figure is the median of R runs (default 5); the server's peak RSS is sampled from /proc every 20 ms
 * during each transfer, and shown above its RSS once listening. Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aorHash } from '../../src/files/naming.js';
import { MissiveProcess } from '../../test/support/missive-process.js';
import { ha1, WebSocketClient } from '../../test/support/websocket-client.js';

const DOMAIN = 'bench.example';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const MIB = 1024 * 1024;

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function rss(pid: number): number {
  return (
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1] ?? 0) * 1024
  );
}

/** Runs `work`, sampling the server's RSS: seconds taken and the peak seen. */
async function measured(pid: number, work: () => Promise<void>): Promise<{ seconds: number; peak: number }> {
  let peak = rss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rss(pid));
  }, 20);
  const start = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, peak: Math.max(peak, rss(pid)) };
}

function upload(port: number, path: string, file: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const post = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { 'Content-Length': bytes } },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) resolve();
          else reject(new Error(`upload: ${String(response.statusCode)}`));
        });
      },
    );
    post.on('error', reject);
    createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(post);
  });
}

function download(port: number, path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const get = request({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      response.on('end', () => {
        if (response.statusCode === 200 && received === bytes) resolve();
        else reject(new Error(`download: ${String(response.statusCode)}, ${String(received)} bytes`));
      });
    });
    get.on('error', reject);
    get.end();
  });
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(MIB);
  for (let left = bytes; left > 0; left -= MIB) {
    const chunk = left >= MIB ? block : block.subarray(0, left);
    if (!out.write(chunk))
      await new Promise<void>((resolve) => {
        out.once('drain', () => {
          resolve();
        });
      });
  }
  await new Promise<void>((resolve, reject) => {
    out.on('error', reject);
    out.end(() => {
      resolve();
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bytes: { type: 'string', default: String(1024 * MIB) },
      runs: { type: 'string', default: '5' },
    },
  });
  const bytes = Number(values.bytes);
  const runs = Number(values.runs);
  const work = await mkdtemp(join(tmpdir(), 'missive-bench-files-'));
  const users = ['alice', 'bob'].map((user) => [user, 'secret'] as const);
  const server = await MissiveProcess.start({
    domain: DOMAIN,
    users,
    args: ['--file-transfer-max-bytes', String(bytes), '--file-transfer-quota-bytes', '0'],
  });
  const client = await WebSocketClient.ready(`ws://127.0.0.1:${String(server.ports.ws)}/webrtcgateway/ws`);
  try {
    await client.call({ sylkrtc: 'account-add', account: ALICE, password: ha1(ALICE, 'secret') });
    await client.call({ sylkrtc: 'account-register', account: ALICE });
    while (!client.frames.some((f) => f.state === 'registered')) await new Promise((r) => setTimeout(r, 50));
    const source = join(work, 'source.bin');
    log(`writing a ${String(bytes)}-byte file`);
    await writeRandomFile(source, bytes);
    const pid = server.pid ?? 0;
    const idle = rss(pid);
    const rows = {
      cp: [] as number[],
      up: [] as number[],
      down: [] as number[],
      upPeak: [] as number[],
      downPeak: [] as number[],
    };
    for (let run = 1; run <= runs; run++) {
      const copy = join(work, 'copy.bin');
      const started = process.hrtime.bigint();
      // conv=fsync-like: cp then sync, as the upload's file is fsynced before it is announced.
      if (spawnSync('sh', ['-c', `cp '${source}' '${copy}' && sync '${copy}'`]).status !== 0)
        throw new Error('cp failed');
      rows.cp.push(Number(process.hrtime.bigint() - started) / 1e9);
      await rm(copy);
      const id = `run${String(run)}`;
      const up = await measured(pid, () =>
        upload(server.ports.ws, `/webrtcgateway/filetransfer/${ALICE}/${BOB}/${id}/file.bin`, source, bytes),
      );
      const path = `/webrtcgateway/filetransfer/${aorHash(ALICE)}/${aorHash(BOB)}/${id}/file.bin`;
      const down = await measured(pid, () => download(server.ports.ws, path, bytes));
      rows.up.push(up.seconds);
      rows.down.push(down.seconds);
      rows.upPeak.push(up.peak);
      rows.downPeak.push(down.peak);
      await rm(
        join(server.dataDir, 'file_transfers', aorHash(ALICE)[0] ?? '', aorHash(ALICE), aorHash(BOB), id),
        {
          recursive: true,
        },
      );
      log(
        `run ${String(run)}: cp ${rows.cp.at(-1)?.toFixed(2)} s, upload ${up.seconds.toFixed(2)} s, download ${down.seconds.toFixed(2)} s`,
      );
    }
    const rate = (seconds: readonly number[]): string => (bytes / 1e6 / median(seconds)).toFixed(0);
    const mib = (value: number): string => String(Math.round(value / MIB));
    const peak = (values: readonly number[]): string =>
      `${mib(Math.max(...values))} MiB (+${mib(Math.max(...values) - idle)})`;
    const lines = [
      `${String(bytes / MIB)} MiB file, median of ${String(runs)} runs; server RSS once listening ${mib(idle)} MiB`,
      '',
      '| transfer | MB/s | server peak RSS (above idle) |',
      '|---|---:|---:|',
      `| \`cp\` + \`sync\` on the same disk (the limit) | ${rate(rows.cp)} | – |`,
      `| upload (POST, streamed to disk, SHA-1, fsync) | ${rate(rows.up)} | ${peak(rows.upPeak)} |`,
      `| download (GET, streamed from disk) | ${rate(rows.down)} | ${peak(rows.downPeak)} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await client.stop();
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
