// The writes of a shared next-hop connection (shared-outbox.ts) over a real loopback connection: one SEND
// part open on the wire at a time, a bulk transfer cut with `+` so the other lanes get their turn, and a
// lane's session ending mid-part with `#`. The receiving end is the harness's own frame reader.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import { parseByteRange } from '../../src/msrp/headers.js';
import type { MsrpHead } from '../../src/msrp/message.js';
import { MsrpParser } from '../../src/msrp/parser.js';
import { readPaths } from '../../src/msrp/relay/checks.js';
import { ForwardedPaths } from '../../src/msrp/relay/forwarded-paths.js';
import { ForwardedSend } from '../../src/msrp/relay/forwarded-send.js';
import { UNTRACKED } from '../../src/msrp/relay/send-tracker.js';
import { LaneQueue, SharedOutbox } from '../../src/msrp/relay/shared-outbox.js';
import { RelayStats } from '../../src/msrp/relay/stats.js';
import { TransactionIds } from '../../src/msrp/transaction-ids.js';
import { MsrpConnection, type StreamHandler } from './harness/connection.js';
import type { Flag, MessageHead } from './harness/frame-reader.js';
import { header } from './harness/message.js';
import { LOOPBACK } from '../support/ports.js';

const BOUND = 1000;

/** What arrived, in order: one entry per part, with its session (B's URI) and body. */
interface Part {
  readonly to: string;
  readonly range: string;
  body: string;
  flag: Flag | undefined;
}

class Parts implements StreamHandler {
  readonly list: Part[] = [];

  head(head: MessageHead): void {
    this.list.push({
      to: header(head, 'To-Path') ?? '',
      range: header(head, 'Byte-Range') ?? '',
      body: '',
      flag: undefined,
    });
  }

  body(slice: Buffer): void {
    const last = this.list.at(-1);
    if (last !== undefined) last.body += slice.toString('latin1');
  }

  end(flag: Flag): void {
    const last = this.list.at(-1);
    if (last !== undefined) last.flag = flag;
  }

  of(to: string): Part[] {
    return this.list.filter((part) => part.to === to);
  }
}

async function wire(
  t: TestContext,
): Promise<{ outbox: SharedOutbox; lanes: LaneQueue[]; far: MsrpConnection; parts: Parts }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const socket = net.connect((server.address() as net.AddressInfo).port, LOOPBACK);
  const far = new MsrpConnection(await accepted);
  const parts = new Parts();
  far.setStreamHandler(parts);
  t.after(() => {
    socket.destroy();
    far.destroy();
    server.close();
  });
  const outbox = new SharedOutbox(socket, new TransactionIds(), new RelayStats(), BOUND);
  outbox.start([]);
  const lanes = [0, 1, 2].map(() => new LaneQueue(() => undefined));
  return { outbox, lanes, far, parts };
}

/** A received SEND head of session `n` (B's URI `msrp://b.example/s<n>;tcp`) for `total` bytes. */
function send(n: number, total: number): ForwardedSend {
  const text =
    `MSRP in${n}xyz SEND\r\nTo-Path: msrp://relay.example/r${n};tcp msrp://b.example/s${n};tcp\r\n` +
    `From-Path: msrp://a.example/a${n};tcp\r\nMessage-ID: m${n}\r\nByte-Range: 1-${total}/${total}\r\n` +
    'Content-Type: text/plain\r\n\r\n';
  const heads: MsrpHead[] = [];
  new MsrpParser({
    onHead: (head) => heads.push(head),
    onBody: () => undefined,
    onEnd: () => undefined,
  }).feed(Buffer.from(text));
  const head = heads[0];
  assert.ok(head !== undefined);
  const read = readPaths(head, undefined);
  if (read.kind !== 'ok') throw new Error(`unreadable paths: ${read.kind}`);
  const range = parseByteRange(head.headers.get('Byte-Range') ?? '');
  assert.ok(range !== undefined);
  return new ForwardedSend(
    `out${n}xyz`,
    ForwardedPaths.of(read.paths, undefined),
    head,
    range,
    UNTRACKED,
    true,
  );
}

const to = (n: number): string => `msrp://b.example/s${n};tcp`;

async function arrived(far: MsrpConnection, lanes: LaneQueue[]): Promise<void> {
  const total = lanes.reduce((sum, lane) => sum + lane.bytesWritten, 0);
  await far.waitUntil(() => (far.bytesReceived === total ? true : undefined), 5000, `${total} bytes`);
}

test('a lane alone is not cut; one that starts waiting gets the wire after the open part is cut with +', async (t) => {
  const { outbox, lanes, far, parts } = await wire(t);
  const [one, two] = lanes as [LaneQueue, LaneQueue];
  const bulk = send(1, 5000);
  outbox.startSend(one, bulk);
  for (let i = 0; i < 4; i++) outbox.sendBody(one, bulk, Buffer.alloc(500, 'a'));
  const small = send(2, 3);
  outbox.startSend(two, small);
  outbox.sendBody(two, small, Buffer.from('xyz'));
  outbox.endSend(two, small, '$');
  for (let i = 0; i < 6; i++) outbox.sendBody(one, bulk, Buffer.alloc(500, 'a'));
  outbox.endSend(one, bulk, '$');
  await arrived(far, lanes);
  assert.deepEqual(
    parts.list.map((part) => [part.to, part.range, part.body.length, part.flag]),
    [
      [to(1), '1-5000/5000', 2000, '+'], // 2,000 bytes alone, over the bound: not cut while nobody waited
      [to(2), '1-3/3', 3, '$'],
      [to(1), '2001-5000/5000', 3000, '$'],
    ],
  );
});

test('two bulk transfers take turns: neither runs more than the bound and a slice ahead', async (t) => {
  const { outbox, lanes, far, parts } = await wire(t);
  const [one, two] = lanes as [LaneQueue, LaneQueue];
  const total = 20 * 400;
  const first = send(1, total);
  const second = send(2, total);
  outbox.startSend(one, first);
  outbox.startSend(two, second);
  for (let i = 0; i < 20; i++) {
    outbox.sendBody(one, first, Buffer.alloc(400, 'a'));
    outbox.sendBody(two, second, Buffer.alloc(400, 'b'));
  }
  outbox.endSend(one, first, '$');
  outbox.endSend(two, second, '$');
  await arrived(far, lanes);
  for (const n of [1, 2]) {
    const mine = parts.of(to(n));
    assert.equal(mine.map((part) => part.body).join(''), (n === 1 ? 'a' : 'b').repeat(total));
    assert.ok(mine.length >= 4, `session ${n} came in ${mine.length} parts`);
    assert.deepEqual(
      mine.map((part) => part.flag),
      [...mine.slice(1).map(() => '+'), '$'],
    );
  }
  // Each part while the other waited: at most the bound plus one slice, and what was held for it meanwhile.
  for (const part of parts.list.slice(0, -1))
    assert.ok(part.body.length <= BOUND + 2 * 400, `${part.range}: ${part.body.length}`);
});

test('a lane whose session ends mid-part ends it with # and the next lane goes on', async (t) => {
  const { outbox, lanes, far, parts } = await wire(t);
  const [one, two] = lanes as [LaneQueue, LaneQueue];
  const cut = send(1, 100);
  const next = send(2, 2);
  outbox.startSend(one, cut);
  outbox.startSend(two, next);
  outbox.sendBody(two, next, Buffer.from('ok')); // held: the first lane holds the wire with its head
  outbox.endSend(two, next, '$');
  outbox.abort(one);
  outbox.sendBody(one, cut, Buffer.from('late')); // nothing of an aborted lane is written
  await arrived(far, lanes);
  assert.deepEqual(
    parts.list.map((part) => [part.to, part.body, part.flag]),
    [
      [to(1), '', '#'],
      [to(2), 'ok', '$'],
    ],
  );
});

test("a lane's unread control bytes are its control messages until the socket takes them, never SEND bytes", async (t) => {
  const { outbox, lanes, far } = await wire(t);
  const [bulkLane, controlLane] = lanes as [LaneQueue, LaneQueue];
  far.socket.pause();
  // More than the kernel buffers of a loopback connection hold: the rest waits in the socket's own buffer.
  const total = 32 * 1024 * 1024;
  const bulk = send(1, total);
  outbox.startSend(bulkLane, bulk);
  for (let at = 0; at < total; at += 1024 * 1024)
    outbox.sendBody(bulkLane, bulk, Buffer.alloc(1024 * 1024, 'a'));
  outbox.endSend(bulkLane, bulk, '$');
  const control = Buffer.from('MSRP c1 200 OK\r\nTo-Path: msrp://a.example/a;tcp\r\n-------c1$\r\n');
  for (let i = 0; i < 10; i++) outbox.sendControl(controlLane, control);
  assert.ok(outbox.socketBacklog > total / 2, `the socket holds ${outbox.socketBacklog} bytes`);
  assert.equal(controlLane.unreadControl, 10 * control.length, 'the control messages wait behind the SEND');
  assert.equal(bulkLane.unreadControl, 0, 'SEND bytes are not control bytes');
  far.socket.resume();
  await arrived(far, lanes);
  await far.waitUntil(
    () => (controlLane.unreadControl === 0 ? true : undefined),
    30_000,
    'the socket to take the control messages',
  );
});
