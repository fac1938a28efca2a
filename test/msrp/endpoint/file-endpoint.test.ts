/**
 * missive's MSRP file endpoint on its own (src/msrp/endpoint/, RFC 4975 as an endpoint): the answers it owes
 * (200 per chunk unless Failure-Report says otherwise, the success REPORT with the whole byte range, 481 for
 * an unknown session, 501 for another method), and the ways a push session is cut (an aborted chunk `#`, a
 * gap in the byte ranges, the idle timer of the injected clock, a closed connection), each destroying the
 * stream of received bytes so that nothing of the file is kept; a connection with no live session is closed
 * after the idle time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MsrpFileEndpoint } from '../../../src/msrp/endpoint/file-endpoint.js';
import type { FileSession, SessionEnd } from '../../../src/msrp/endpoint/file-session.js';
import { ManualClock } from '../../support/manual-clock.js';
import { waitFor } from '../../support/wait.js';
import { connectClient } from '../harness/client.js';
import type { MsrpConnection } from '../harness/connection.js';
import { header, newTid, request } from '../harness/message.js';

const PEER = 'msrp://127.0.0.1:40009/peer;tcp';

describe('MSRP file endpoint', () => {
  const clock = new ManualClock(0);
  const endpoint = new MsrpFileEndpoint({
    host: '127.0.0.1',
    port: 0,
    advertisedHost: '127.0.0.1',
    idleTimeoutMs: 30_000,
    clock,
  });
  const open: MsrpConnection[] = [];
  before(async () => {
    await endpoint.start();
  });
  after(async () => {
    for (const conn of open) conn.socket.destroy();
    await endpoint.stop();
  });

  const session = (expectedBytes: number): { session: FileSession; ends: SessionEnd[]; bytes: Buffer[] } => {
    const ends: SessionEnd[] = [];
    const bytes: Buffer[] = [];
    const opened = endpoint.open({ direction: 'push', expectedBytes, onEnd: (_s, end) => ends.push(end) });
    opened.incoming.on('data', (chunk: Buffer) => bytes.push(chunk));
    return { session: opened, ends, bytes };
  };
  const connect = async (): Promise<MsrpConnection> => {
    const conn = await connectClient({ port: endpoint.port, tls: false });
    open.push(conn);
    return conn;
  };
  const send = (
    to: string,
    body: string,
    range: string,
    flag: '$' | '+' | '#' = '$',
    extra: [string, string][] = [],
  ): Buffer =>
    request({
      tid: newTid(),
      method: 'SEND',
      toPath: to,
      fromPath: PEER,
      headers: [['Message-ID', 'm1'], ['Byte-Range', range], ...extra, ['Content-Type', 'text/plain']],
      body,
      flag,
    });

  test('chunks get 200s, the whole file a success REPORT with its byte range', async () => {
    const { session: s, ends, bytes } = session(10);
    const conn = await connect();
    await conn.write(send(s.uri, 'hello', '1-5/10', '+'));
    await conn.write(send(s.uri, 'world', '6-10/10', '$', [['Success-Report', 'yes']]));
    const [first, second, report] = await conn.nextMessages(3);
    assert.ok(first !== undefined && second !== undefined && report !== undefined);
    assert.equal(first.status, 200);
    assert.equal(header(first, 'To-Path'), PEER);
    assert.equal(second.status, 200);
    assert.equal(report.method, 'REPORT');
    assert.equal(header(report, 'Byte-Range'), '1-10/10');
    assert.equal(header(report, 'Status'), '000 200 OK');
    assert.deepEqual(ends, [{ kind: 'whole' }]);
    assert.equal(Buffer.concat(bytes).toString(), 'helloworld');
  });

  test('a repeated chunk is not written twice; Failure-Report: no gets no 200', async () => {
    const { session: s, ends, bytes } = session(6);
    const conn = await connect();
    await conn.write(send(s.uri, 'abc', '1-3/6', '+', [['Failure-Report', 'no']]));
    await conn.write(
      send(s.uri, 'bcdef', '2-6/6', '$', [
        ['Success-Report', 'yes'],
        ['Failure-Report', 'no'],
      ]),
    );
    const report = await conn.nextMessage();
    assert.equal(report.method, 'REPORT', 'the REPORT is the first message: no 200s came');
    assert.deepEqual(ends, [{ kind: 'whole' }]);
    assert.equal(Buffer.concat(bytes).toString(), 'abcdef');
  });

  test('an unknown session gets 481, another method 501', async () => {
    const conn = await connect();
    await conn.write(send('msrp://127.0.0.1:1/nosuch;tcp', 'x', '1-1/1'));
    assert.equal((await conn.nextMessage()).status, 481);
    const { session: s } = session(1);
    await conn.write(request({ tid: newTid(), method: 'NICKNAME', toPath: s.uri, fromPath: PEER }));
    assert.equal((await conn.nextMessage()).status, 501);
  });

  test('an aborted chunk, a gap, the idle timer and a closed connection each cut the session', async () => {
    const aborted = session(10);
    const conn = await connect();
    await conn.write(send(aborted.session.uri, 'hello', '1-5/10', '#'));
    await conn.nextMessage();
    assert.equal(aborted.ends[0]?.kind, 'cut');
    assert.equal(aborted.session.incoming.destroyed, true);

    const gap = session(10);
    const other = await connect();
    await other.write(send(gap.session.uri, 'world', '6-10/10'));
    assert.equal((await other.nextMessage()).status, 400);
    assert.match(gap.ends[0]?.kind === 'cut' ? gap.ends[0].reason : '', /gap/);

    const idle = session(10);
    const third = await connect();
    await third.write(send(idle.session.uri, 'hel', '1-3/10', '+'));
    await third.nextMessage();
    clock.advance(29_000);
    assert.equal(idle.ends.length, 0);
    clock.advance(1_000);
    assert.deepEqual(idle.ends, [{ kind: 'cut', reason: 'idle' }]);

    const closed = session(10);
    const fourth = await connect();
    await fourth.write(send(closed.session.uri, 'hel', '1-3/10', '+'));
    await fourth.nextMessage();
    fourth.socket.destroy();
    await waitFor(() => closed.ends[0], 'the session cut');
    assert.deepEqual(closed.ends, [{ kind: 'cut', reason: 'connection closed' }]);
  });

  test('a connection that carries no live session is closed after the idle time', async () => {
    const conn = await connect();
    await conn.write(send('msrp://127.0.0.1:1/nosuch;tcp', 'x', '1-1/1'));
    assert.equal((await conn.nextMessage()).status, 481);
    clock.advance(30_000);
    await conn.expectClosed();
  });
});
