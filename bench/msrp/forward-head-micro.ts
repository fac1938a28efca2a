/**
 * `node --import tsx bench/msrp/forward-head-micro.ts [ROUNDS]`: CPU time per relayed SEND chunk of what the
 * relay writes for it — the forwarded head and the 200 to the sender — built as before (headers written out
 * again: passThroughHeaders + forwardedHead + response) and as now (received header bytes forwarded,
 * ForwardedPaths and SendOk kept per session), in one process, alternating rounds, so that a loaded machine
 * slows both alike. The head is the bench generator's (bench/msrp/wire.ts): To-Path, From-Path, Message-ID,
 * Byte-Range, Content-Type.
 */
import { parseByteRange } from '../../src/msrp/headers.js';
import type { MsrpHead } from '../../src/msrp/message.js';
import { MsrpParser } from '../../src/msrp/parser.js';
import { readPaths, type Paths } from '../../src/msrp/relay/checks.js';
import { ForwardedPaths } from '../../src/msrp/relay/forwarded-paths.js';
import { ForwardedSend } from '../../src/msrp/relay/forwarded-send.js';
import { SendOk } from '../../src/msrp/relay/send-ok.js';
import { UNTRACKED } from '../../src/msrp/relay/send-tracker.js';
import { TransactionIds } from '../../src/msrp/transaction-ids.js';
import { formatPath } from '../../src/msrp/uri.js';
import { forwardedHead, passThroughHeaders, response } from '../../src/msrp/wire.js';
import { MICRO_SEND_BYTES } from './micro-send.js';
import { median } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 15);
const PER_ROUND = 100_000;
const bytes = MICRO_SEND_BYTES;

let head: MsrpHead | undefined;
new MsrpParser({ onHead: (h) => (head = h), onBody: () => {}, onEnd: () => {} }).feed(bytes);
if (head === undefined) throw new Error('no head');
const read = readPaths(head, undefined);
if (read.kind !== 'ok') throw new Error('no paths');
const paths: Paths = read.paths;
const range = parseByteRange('1-2048/2048');
if (range === undefined) throw new Error('no range');
const tids = new TransactionIds();
let sink = 0;

function before(h: MsrpHead): void {
  const toPath = formatPath(paths.to.slice(1));
  const fromPath = `${paths.to[0]?.text ?? ''} ${paths.fromText}`;
  const forwarded = Buffer.from(
    forwardedHead(`MSRP ${tids.next()} SEND`, toPath, fromPath, passThroughHeaders(h), true),
  );
  const ok = response(h, 200, 'OK', paths.from[0]?.text ?? '', paths.to[0]?.text ?? '');
  sink += forwarded.length + ok.length;
}

let kept: ForwardedPaths | undefined;
let keptOk: SendOk | undefined;
function now(h: MsrpHead): void {
  kept = ForwardedPaths.of(paths, kept);
  const forwarded = new ForwardedSend(tids.next(), kept, h, range as never, UNTRACKED, true).takeHead();
  keptOk = SendOk.of(paths, keptOk);
  sink += forwarded.length + keptOk.answer(h.tid).length;
}

function cpuNsPer(run: (h: MsrpHead) => void, h: MsrpHead): number {
  const start = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++) run(h);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / PER_ROUND;
}

const samples = { before: [] as number[], now: [] as number[] };
for (let round = -2; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (['before', 'now'] as const) : (['now', 'before'] as const);
  for (const name of order) {
    const ns = cpuNsPer(name === 'before' ? before : now, head);
    if (round >= 0) samples[name].push(ns);
  }
}
const b = median(samples.before);
const n = median(samples.now);
process.stdout.write(
  `head + 200 per SEND, CPU ns (median of ${ROUNDS} rounds of ${PER_ROUND}): before ${b.toFixed(0)}, now ${n.toFixed(0)}, ratio ${(n / b).toFixed(2)} (sink ${sink > 0})\n`,
);
