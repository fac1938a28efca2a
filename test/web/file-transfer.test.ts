/**
 * File transfer over HTTP on a real `missive serve` (sylk spec §4.3, §2.7 rows E–H, §9 tests 55–56; issue 14):
 * a file uploaded by a registered sylkRTC device of alice is stored in SylkServer's layout with its
 * metadata, announced to bob's WebSocket and SIP devices and to alice's other devices, and served back
 * with Range and HEAD; refusals (no authentication, another account, bad names, no Content-Length, size,
 * quota) come before the body; a cancelled or cut upload leaves no file and sends no message.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Cleanup } from '../interop/harness/cleanup.js';
import { aorHash } from '../../src/files/naming.js';
import type { SipRequest } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { EVENT_WAIT_MS, eventually, waitFor } from '../support/wait.js';
import { processIo } from '../support/process-io.js';
import { download, exchange, GeneratedBody, holdingBack } from './file-transfer-client.js';
import { ha1, type Json, WebSocketClient } from '../support/websocket-client.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const CAROL = `carol@${DOMAIN}`;
const MiB = 1024 * 1024;

const UPLOAD = '/webrtcgateway/filetransfer';

/** The largest a TCP socket's receive (`rmem`) or send (`wmem`) buffer may grow here (the third of net.ipv4.tcp_*). */
function tcpBufferMax(which: 'rmem' | 'wmem'): number {
  const [, , max = ''] = readFileSync(`/proc/sys/net/ipv4/tcp_${which}`, 'utf8').trim().split(/\s+/);
  const bytes = Number(max);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`net.ipv4.tcp_${which} has no maximum: ${max}`);
  return bytes;
}

async function request(client: WebSocketClient, body: Json): Promise<Json> {
  const transaction = client.send(body);
  return frame(client, `the reply to ${String(body.sylkrtc)}`, (f) => f.transaction === transaction);
}

function frame(client: WebSocketClient, what: string, match: (frame: Json) => boolean): Promise<Json> {
  return waitFor(() => client.frames.find(match), what, { timeoutMs: 20_000 });
}

describe('missive serve: file transfer over HTTP', { timeout: 300_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let port: number;
  let url: string;
  let transfers: string;
  let alicePhone: WebSocketClient;
  let aliceLaptop: WebSocketClient;
  let bob: WebSocketClient;
  let bobSip: Agent;
  let aliceSip: Agent;

  const device = async (account: string): Promise<WebSocketClient> => {
    const client = peers.add(await WebSocketClient.ready(url));
    await request(client, { sylkrtc: 'account-add', account, password: ha1(account, PASSWORD) });
    await request(client, { sylkrtc: 'account-register', account });
    await frame(
      client,
      `${account} registered`,
      (f) => f.event === 'registration-state' && f.state === 'registered',
    );
    return client;
  };

  const sipDevice = async (user: string): Promise<Agent> => {
    const agent = await new Agent(user, DOMAIN, PASSWORD, {
      transport: 'udp',
      host: LOOPBACK,
      port: missive.ports.sip,
    }).start();
    peers.add({ stop: () => agent.stop() });
    assert.equal((await agent.register()).status, 200);
    return agent;
  };

  /** The next MESSAGE at a SIP device whose body has `text`, answered 200. */
  const sipMessage = async (agent: Agent, text: string): Promise<SipRequest> => {
    const received = await agent.next(
      (m) => m.kind === 'request' && m.method === 'MESSAGE' && m.body.toString('utf8').includes(text),
      20_000,
    );
    await agent.answer(received, 200);
    return received.message as SipRequest;
  };

  /** Files below the transfer directory (relative paths), partial ones included. */
  const storedFiles = (): string[] =>
    existsSync(transfers)
      ? readdirSync(transfers, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name).slice(transfers.length + 1))
      : [];

  const post = (path: string, body: Buffer, headers: Record<string, string | number> = {}) =>
    exchange(port, path, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'Content-Length': body.length, ...headers },
      body,
    });

  before(async () => {
    const users = ['alice', 'bob', 'carol'].map((user) => [user, PASSWORD] as const);
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users,
        args: [
          '--file-transfer-max-bytes',
          String(100 * MiB),
          '--file-transfer-quota-bytes',
          String(120 * MiB),
        ],
      }),
    );
    port = missive.ports.ws;
    url = `ws://${LOOPBACK}:${String(port)}/webrtcgateway/ws`;
    transfers = join(missive.dataDir, 'file_transfers');
    alicePhone = await device(ALICE);
    aliceLaptop = await device(ALICE);
    bob = await device(BOB);
    bobSip = await sipDevice('bob');
    aliceSip = await sipDevice('alice');
  });
  after(() => peers.run());

  test('an upload is stored in SylkServer’s layout and reaches bob’s devices and alice’s other devices (rows E–H)', async () => {
    const picture = Buffer.from('\x89PNG\r\n\x1a\n a small picture');
    const answer = await post(`${UPLOAD}/${ALICE}/${BOB}/t1/a.png`, picture);
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.body.toString(), 'OK');
    assert.equal(answer.headers['access-control-allow-origin'], '*');

    const directory = join(transfers, aorHash(ALICE)[0] ?? '', aorHash(ALICE), aorHash(BOB), 't1');
    assert.deepEqual(readFileSync(join(directory, 'a.png')), picture);
    const meta = JSON.parse(readFileSync(join(directory, 'meta-a.png'), 'utf8')) as Json;
    assert.equal(meta.filesize, picture.length);
    assert.equal(meta.path, directory);

    const event = await frame(
      bob,
      'the message at bob',
      (f) => f.event === 'message' && f.message_id === 't1',
    );
    assert.equal(event.content_type, 'application/sylk-file-transfer');
    const content = JSON.parse(String(event.content)) as Json;
    assert.equal(content.filename, 'a.png');
    assert.equal(content.filesize, picture.length);
    assert.equal(content.filetype, 'image/png');
    assert.match(String(content.hash), /^sha-1(:[0-9A-F]{2}){20}$/);
    assert.deepEqual(content.sender, { uri: ALICE, display_name: '' });
    const link = new URL(String(content.url));
    assert.equal(link.pathname, `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/t1/a.png`);

    for (const device of [alicePhone, aliceLaptop]) {
      const sync = await frame(
        device,
        'alice’s sync',
        (f) => f.event === 'sync' && (f.content as Json).message_id === 't1',
      );
      assert.equal((sync.content as Json).server_generated, true);
      assert.equal((sync.content as Json).content_type, 'application/sylk-file-transfer');
    }

    const ftHttp = await sipMessage(bobSip, 'urn:gsma:params:xml:ns:rcs:rcs:fthttp');
    assert.equal(ftHttp.headers.get('X-Sylk-To-Sip'), 'yes');
    assert.match(ftHttp.body.toString(), /<file-name>a\.png<\/file-name>/);
    assert.match(ftHttp.body.toString(), /imdn\.Message-ID: t1/);
    const line = await sipMessage(bobSip, 'File transfer available at');
    assert.equal(
      line.body.toString(),
      `File transfer available at ${String(content.url)} (${String(picture.length)} bytes)`,
    );
    const replica = await sipMessage(aliceSip, 'urn:gsma:params:xml:ns:rcs:rcs:fthttp');
    assert.equal(replica.headers.get('X-Replicated-Message'), 'yes');
    await sipMessage(aliceSip, 'File transfer available at');

    const downloaded = await exchange(port, link.pathname, { method: 'GET' });
    assert.equal(downloaded.status, 200);
    assert.deepEqual(downloaded.body, picture);
    assert.equal(downloaded.headers['content-type'], 'image/png');
    assert.equal(downloaded.headers['content-disposition'], 'inline;filename="a.png"');
    // Written straight to the socket: the headers the application adds to every answer are there too.
    assert.equal(downloaded.headers['access-control-allow-origin'], '*');
    assert.match(String(downloaded.headers.server), /^SylkServer\//);
    const head = await exchange(port, link.pathname, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(picture.length));
    assert.equal(head.body.length, 0);
    const missing = await exchange(port, `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/t1/b.png`, {
      method: 'GET',
    });
    assert.equal(missing.status, 404);
  });

  test('a text file is an attachment; Range gives 206 and resumes, past the end 416', async () => {
    const text = Buffer.from('0123456789abcdef');
    assert.equal(
      (await post(`${UPLOAD}/${ALICE}/${BOB}/t2/a.txt`, text, { 'Content-Type': 'text/plain' })).status,
      200,
    );
    const path = `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/t2/a.txt`;
    const whole = await exchange(port, path, { method: 'GET' });
    assert.equal(whole.headers['content-disposition'], 'attachment;filename="a.txt"');
    const part = await exchange(port, path, { method: 'GET', headers: { Range: 'bytes=10-' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], 'bytes 10-15/16');
    assert.equal(part.body.toString(), 'abcdef');
    const beyond = await exchange(port, path, { method: 'GET', headers: { Range: 'bytes=16-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], 'bytes */16');
  });

  test('a large upload is written to disk as it arrives, and its download read from disk as it is sent', async () => {
    const pid = missive.pid ?? 0;
    // What the kernel may hold between the two ends of a loopback connection (the receiver's and the sender's
    // socket buffers at their largest), with room for the streams' own buffers on both sides.
    const inFlight = tcpBufferMax('rmem') + tcpBufferMax('wmem') + 4 * MiB;
    // Larger than what may be in flight, so that a server that held the file would be seen holding it.
    const SIZE = Math.max(50 * MiB, inFlight + 16 * MiB);
    const body = new GeneratedBody(SIZE);
    // All but the last MiB sent, the server has written it to disk: one that kept the body in memory until
    // it was whole would have written nothing yet. (Counted in bytes passed to write(2): this server writes
    // little else meanwhile, and wchar does not wait for the page cache to reach the disk.)
    const heldBack = MiB;
    const beforeUpload = processIo(pid).written;
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upload = exchange(port, `${UPLOAD}/${ALICE}/${BOB}/big/big.bin`, {
      method: 'POST',
      headers: { 'Content-Length': SIZE },
      body: holdingBack(body, heldBack, released),
    });
    // Awaited below; if the wait fails first, its message is the test's, and the upload's end is no matter.
    upload.catch(() => undefined);
    const written = () => processIo(pid).written - beforeUpload;
    await eventually(
      () => written() >= SIZE - heldBack - MiB,
      () =>
        `the server to write what it received (${String(written() >> 20)} of ${String((SIZE - heldBack) >> 20)} MiB written)`,
      { timeoutMs: 4 * EVENT_WAIT_MS },
    );
    release();
    const uploaded = await upload;
    assert.equal(uploaded.status, 200, uploaded.body.toString());
    const event = await frame(
      bob,
      'the big file at bob',
      (f) => f.event === 'message' && f.message_id === 'big',
    );
    assert.equal((JSON.parse(String(event.content)) as Json).hash, body.sha1);
    // Each chunk the client takes, the server has read at most that much more from the file than the client
    // holds, plus what may be in flight: one that read the whole file first is past that at the first chunk.
    const path = `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/big/big.bin`;
    const beforeDownload = processIo(pid).read;
    let readAhead = 0;
    const downloaded = await download(port, path, (received) => {
      readAhead = Math.max(readAhead, processIo(pid).read - beforeDownload - received);
    });
    assert.equal(downloaded.status, 200);
    assert.equal(downloaded.bytes, SIZE);
    assert.equal(downloaded.sha1, body.sha1);
    assert.ok(
      readAhead <= inFlight,
      `the server read ${String(readAhead >> 20)} MiB beyond what the client had taken (at most ${String(inFlight >> 20)} in flight)`,
    );
  });

  test('unauthenticated, foreign and token-less uploads are refused before the body', async () => {
    const body = Buffer.from('x');
    const foreign = await post(`${UPLOAD}/${CAROL}/${BOB}/f1/a.png`, body);
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.toString(), /not registered on any sylkRTC connection/);
    const wrongToken = await post(`${UPLOAD}/${CAROL}/${BOB}/f2/a.png`, body, {
      Authorization: 'Apikey nope',
    });
    assert.equal(wrongToken.status, 401);
    assert.deepEqual(
      storedFiles().filter((file) => file.includes('f1') || file.includes('f2')),
      [],
    );
  });

  test('names that would leave the directory are refused, uploads and downloads alike', async () => {
    const body = Buffer.from('x');
    for (const name of ['..%2F..%2Fescape', '%2Fetc%2Fpasswd', 'a%00b', '..%5Cx', 'x'.repeat(300)]) {
      const answer = await post(`${UPLOAD}/${ALICE}/${BOB}/t3/${name}`, body);
      assert.equal(answer.status, 403, name);
    }
    // A bare `..` segment is resolved away by the router: the path is no upload path at all.
    assert.equal((await post(`${UPLOAD}/${ALICE}/${BOB}/t3/..`, body)).status, 405);
    assert.equal((await post(`${UPLOAD}/${ALICE}/${BOB}/..%2F..%2Fx/a.png`, body)).status, 403);
    const escape = await exchange(
      port,
      `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/t1/..%2F..%2Fmeta-a.png`,
      { method: 'GET' },
    );
    assert.equal(escape.status, 403);
    assert.ok(!existsSync(join(missive.dataDir, 'escape')));
  });

  test('no Content-Length is 411, over the size limit 413, over the quota 507', async () => {
    const chunked = await exchange(port, `${UPLOAD}/${ALICE}/${BOB}/l1/a.bin`, {
      method: 'POST',
      headers: { 'Transfer-Encoding': 'chunked' },
      body: Buffer.from('abc'),
    });
    assert.equal(chunked.status, 411);
    const large = await exchange(port, `${UPLOAD}/${ALICE}/${BOB}/l2/a.bin`, {
      method: 'POST',
      headers: { 'Content-Length': 101 * MiB },
    });
    assert.equal(large.status, 413);
    // Earlier tests keep about 100 MiB of alice's; 80 MiB more passes the 120 MiB quota.
    const quota = await exchange(port, `${UPLOAD}/${ALICE}/${BOB}/l3/a.bin`, {
      method: 'POST',
      headers: { 'Content-Length': 80 * MiB },
    });
    assert.equal(quota.status, 507);
    assert.match(quota.body.toString(), /Insufficient Storage/);
  });

  test('a cancelled upload and a cut connection leave no file and send no message', async () => {
    for (const [transferId, stop] of [
      ['c1', 'cancel'],
      ['c2', 'cut'],
    ] as const) {
      const body = new PassThrough();
      let sent = 0;
      let cut: (() => void) | undefined;
      const upload = exchange(port, `${UPLOAD}/${ALICE}/${BOB}/${transferId}/a.bin`, {
        method: 'POST',
        headers: { 'Content-Length': 4 * MiB },
        body,
        onRequest: (request) => {
          cut = () => request.destroy();
        },
      }).catch(() => undefined);
      body.write(Buffer.alloc(MiB), () => {
        sent += MiB;
      });
      // The server has the first MiB in a partial file: the upload is in progress.
      await waitFor(
        () => storedFiles().some((file) => file.startsWith('.partial')) || undefined,
        'the partial file',
      );
      assert.equal(sent, MiB);
      if (stop === 'cancel') {
        const cancelled = await exchange(port, `${UPLOAD}/cancel/${transferId}`, { method: 'POST' });
        assert.equal(cancelled.body.toString(), `Cancelled upload ${transferId}\n`);
      } else {
        cut?.();
      }
      await upload;
      await waitFor(
        () => (storedFiles().some((file) => file.startsWith('.partial')) ? undefined : true),
        'no partial file',
      );
      assert.deepEqual(
        storedFiles().filter((file) => file.includes(`/${transferId}/`)),
        [],
      );
    }
    const none = await exchange(port, `${UPLOAD}/cancel/c1`, { method: 'GET' });
    assert.equal(none.body.toString(), 'No active upload with transfer_id c1\n');
    // A later upload's message is the positive sign: had c1 or c2 been announced, it would be before it.
    assert.equal((await post(`${UPLOAD}/${ALICE}/${BOB}/c3/a.png`, Buffer.from('y'))).status, 200);
    await frame(bob, 'the message of c3', (f) => f.event === 'message' && f.message_id === 'c3');
    assert.deepEqual(
      bob.frames.filter((f) => f.message_id === 'c1' || f.message_id === 'c2'),
      [],
    );
  });

  test('removing the message of a transfer removes its files (sylk spec §9 test 57)', async () => {
    const directory = join(transfers, aorHash(ALICE)[0] ?? '', aorHash(ALICE), aorHash(BOB), 't2');
    assert.equal(existsSync(join(directory, 'a.txt')), true);
    const removed = await request(alicePhone, {
      sylkrtc: 'account-remove-message',
      account: ALICE,
      message_id: 't2',
      contact: BOB,
    });
    assert.equal(removed.sylkrtc, 'ack', JSON.stringify(removed));
    await waitFor(() => (existsSync(directory) ? undefined : true), 'the transfer directory removed');
    const path = `${UPLOAD}/${aorHash(ALICE)}/${aorHash(BOB)}/t2/a.txt`;
    assert.equal((await exchange(port, path, { method: 'GET' })).status, 404);
  });

  test('OPTIONS is the CORS preflight', async () => {
    const answer = await exchange(port, `${UPLOAD}/${ALICE}/${BOB}/t9/a.png`, { method: 'OPTIONS' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'OK');
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    assert.match(String(answer.headers['access-control-allow-headers']), /content-type/);
  });
});
