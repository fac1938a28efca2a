/**
 * File transfer over MSRP on a real `missive serve` (sylk spec §4.3.4, §2.7 rows E–H; RFC 5547 over RFC 4975;
 * issue 14): alice's SIP device INVITEs the server itself (Request-URI without a user, To: bob) with an
 * MSRP file-transfer offer, then SENDs the file in chunks, directly to missive's endpoint or through
 * missive's own relay (RFC 4976: AUTH, Use-Path in a=path). The file is stored in SylkServer's layout and
 * bob's WebSocket device gets row E; bob pulls it back by its hash. An INVITE without a file stream gets
 * 488, a malformed SDP 400; a session cut mid-file leaves no file and sends no message.
 *
 * The MSRP side is the relay tests' own client (test/msrp/harness/: its own framing, written from
 * RFC 4975, not missive's parser).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Cleanup } from '../interop/harness/cleanup.js';
import { aorHash } from '../../src/files/naming.js';
import type { SipResponse } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { LOOPBACK } from '../support/ports.js';
import { Agent } from '../support/sip-agent.js';
import { waitFor } from '../support/wait.js';
import { auth } from '../msrp/harness/auth.js';
import { connectClient } from '../msrp/harness/client.js';
import type { MsrpConnection } from '../msrp/harness/connection.js';
import { header, newTid, request } from '../msrp/harness/message.js';
import { ha1, type Json, WebSocketClient } from '../support/websocket-client.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;
const CHUNK = 16 * 1024;

function sha1Selector(bytes: Buffer): string {
  const hex = createHash('sha1').update(bytes).digest('hex').toUpperCase();
  return `sha-1:${(hex.match(/../g) ?? []).join(':')}`;
}

function offer(
  path: string,
  selector: string,
  direction: 'sendonly' | 'recvonly',
  transferId: string,
): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=message 2855 TCP/MSRP *',
    `a=path:${path}`,
    'a=accept-types:*',
    `a=${direction}`,
    `a=file-selector:${selector}`,
    `a=file-transfer-id:${transferId}`,
    'a=setup:active',
    '',
  ].join('\r\n');
}

/** The a=path of an SDP answer. */
function answerPath(response: SipResponse): string {
  const match = /^a=path:(.+)$/m.exec(response.body.toString('utf8'));
  assert.ok(match?.[1], `no a=path in the answer:\n${response.body.toString('utf8')}`);
  return match[1].trim();
}

/** The endpoint's host and port from its URI (msrp://host:port/session;tcp). */
function hostPort(uri: string): { host: string; port: number } {
  const match = /^msrps?:\/\/([^:/]+):(\d+)\//.exec(uri);
  assert.ok(match, `not an MSRP URI: ${uri}`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}

/** SENDs `file` (or its first `upTo` bytes) in chunks of one message; resolves once they are written. */
async function sendChunks(
  conn: MsrpConnection,
  toPath: string,
  fromPath: string,
  file: Buffer,
  upTo = file.length,
): Promise<void> {
  const messageId = newTid();
  for (let start = 0; start < upTo; start += CHUNK) {
    const end = Math.min(start + CHUNK, file.length);
    const last = end === file.length;
    await conn.write(
      request({
        tid: newTid(),
        method: 'SEND',
        toPath,
        fromPath,
        headers: [
          ['Message-ID', messageId],
          ['Success-Report', 'yes'],
          ['Failure-Report', 'yes'],
          ['Byte-Range', `${String(start + 1)}-${String(end)}/${String(file.length)}`],
          ['Content-Type', 'image/png'],
        ],
        body: file.subarray(start, end),
        flag: last ? '$' : '+',
      }),
    );
  }
}

describe('missive serve: file transfer over MSRP', { timeout: 120_000 }, () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  let transfers: string;
  let bob: WebSocketClient;
  let alice: Agent;
  let bobSip: Agent;

  const frame = (client: WebSocketClient, what: string, match: (f: Json) => boolean): Promise<Json> =>
    waitFor(() => client.frames.find(match), what, { timeoutMs: 20_000 });

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

  const invite = (agent: Agent, to: string, body: string, contentType = 'application/sdp') =>
    agent.authenticated({
      method: 'INVITE',
      uri: `sip:${DOMAIN}`,
      to: `<sip:${to}>`,
      body,
      contentType,
    });

  /** ACK for a 2xx (RFC 3261 §13.2.2.4), to the answer's Contact. */
  const ack = async (agent: Agent, response: SipResponse): Promise<void> => {
    const contact = /<([^>]+)>/.exec(response.headers.get('Contact') ?? '')?.[1];
    assert.ok(contact, 'the 200 has a Contact');
    const cseq = Number.parseInt(response.headers.get('CSeq') ?? '1', 10);
    const request = agent.request({
      method: 'ACK',
      uri: contact,
      to: response.headers.get('To') ?? '',
      callId: response.headers.get('Call-ID') ?? undefined,
      fromTag: /tag=([^;]+)/.exec(response.headers.get('From') ?? '')?.[1],
      cseq,
    });
    await agent.send(request);
  };

  const bye = async (agent: Agent, response: SipResponse): Promise<SipResponse> => {
    const contact = /<([^>]+)>/.exec(response.headers.get('Contact') ?? '')?.[1] ?? '';
    const cseq = Number.parseInt(response.headers.get('CSeq') ?? '1', 10) + 1;
    return agent.transact(
      agent.request({
        method: 'BYE',
        uri: contact,
        to: response.headers.get('To') ?? '',
        callId: response.headers.get('Call-ID') ?? undefined,
        fromTag: /tag=([^;]+)/.exec(response.headers.get('From') ?? '')?.[1],
        cseq,
      }),
    );
  };

  const transferDirectory = (id: string): string =>
    join(transfers, aorHash(ALICE)[0] ?? '', aorHash(ALICE), aorHash(BOB), id);

  const storedFiles = (): string[] =>
    existsSync(transfers)
      ? readdirSync(transfers, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name).slice(transfers.length + 1))
      : [];

  /** alice pushes `file` as `id`/`name`; resolves once the success REPORT came back. */
  const push = async (file: Buffer, id: string, name: string, viaRelay: boolean): Promise<void> => {
    let conn: MsrpConnection | undefined;
    let ownPath: string;
    let relayPath = '';
    if (viaRelay) {
      conn = await connectClient({ port: missive.ports.msrp, tls: true });
      const own = `msrps://127.0.0.1:${String(conn.socket.localPort)}/${newTid()};tcp`;
      const reserved = await auth(conn, {
        toUri: `msrps://${DOMAIN}:${String(missive.ports.msrp)};tcp`,
        fromUri: own,
        username: 'alice',
        password: PASSWORD,
      });
      relayPath = reserved.usePath;
      ownPath = own;
    } else {
      ownPath = `msrp://127.0.0.1:40001/${newTid()};tcp`;
    }
    const selector = `name:"${name}" type:image/png size:${String(file.length)} hash:${sha1Selector(file)}`;
    const sdpPath = viaRelay ? `${relayPath} ${ownPath}` : ownPath;
    const answer = await invite(alice, BOB, offer(sdpPath, selector, 'sendonly', id));
    assert.equal(answer.status, 200, answer.reason);
    assert.equal(answer.headers.get('Content-Type'), 'application/sdp');
    const sdp = answer.body.toString('utf8');
    assert.match(sdp, /^a=recvonly$/m);
    assert.match(sdp, /^a=setup:passive$/m);
    await ack(alice, answer);
    const endpoint = answerPath(answer);
    conn ??= await connectClient({ ...hostPort(endpoint), tls: false });
    const open = conn;
    peers.add({ stop: () => Promise.resolve(open.socket.destroy()).then(() => undefined) });
    const toPath = viaRelay ? `${relayPath} ${endpoint}` : endpoint;
    await sendChunks(open, toPath, ownPath, file);
    const chunks = Math.ceil(file.length / CHUNK);
    const messages = await open.nextMessages(chunks + 1, 20_000);
    const report = messages.find((m) => m.method === 'REPORT');
    assert.ok(report, 'a success REPORT');
    assert.equal(header(report, 'Status'), '000 200 OK');
    assert.equal(header(report, 'Byte-Range'), `1-${String(file.length)}/${String(file.length)}`);
    assert.equal(messages.filter((m) => m.status === 200).length, chunks);
    assert.equal((await bye(alice, answer)).status, 200);
  };

  /** A connection to missive's relay, AUTHed as `user`: its own URI and the Use-Path (RFC 4976 §5). */
  const viaRelay = async (user: string): Promise<{ conn: MsrpConnection; own: string; usePath: string }> => {
    const conn = await connectClient({ port: missive.ports.msrp, tls: true });
    peers.add({ stop: () => Promise.resolve(conn.socket.destroy()).then(() => undefined) });
    const own = `msrps://127.0.0.1:${String(conn.socket.localPort)}/${newTid()};tcp`;
    const reserved = await auth(conn, {
      toUri: `msrps://${DOMAIN}:${String(missive.ports.msrp)};tcp`,
      fromUri: own,
      username: user,
      password: PASSWORD,
    });
    return { conn, own, usePath: reserved.usePath };
  };

  /**
   * `agent` pulls the file that `selector` names (RFC 5547 §8.2): binds the session with an empty SEND
   * (RFC 4975 §5.4, the active side sends first) and collects the SENDs that come back.
   */
  const pull = async (
    agent: Agent,
    user: string,
    peer: string,
    selector: string,
    relay: boolean,
  ): Promise<Buffer> => {
    const relayed = relay ? await viaRelay(user) : undefined;
    const ownPath = relayed?.own ?? `msrp://127.0.0.1:40002/${newTid()};tcp`;
    const sdpPath = relayed === undefined ? ownPath : `${relayed.usePath} ${ownPath}`;
    const answer = await invite(agent, peer, offer(sdpPath, selector, 'recvonly', newTid()));
    assert.equal(answer.status, 200, answer.reason);
    assert.match(answer.body.toString(), /^a=sendonly$/m);
    await ack(agent, answer);
    const endpoint = answerPath(answer);
    const conn = relayed?.conn ?? (await connectClient({ ...hostPort(endpoint), tls: false }));
    peers.add({ stop: () => Promise.resolve(conn.socket.destroy()).then(() => undefined) });
    const toPath = relayed === undefined ? endpoint : `${relayed.usePath} ${endpoint}`;
    await conn.write(
      request({
        tid: newTid(),
        method: 'SEND',
        toPath,
        fromPath: ownPath,
        headers: [
          ['Message-ID', newTid()],
          ['Byte-Range', '1-0/0'],
        ],
      }),
    );
    const size = Number(/size:(\d+)/.exec(answer.body.toString())?.[1]);
    const parts: Buffer[] = [];
    let received = 0;
    while (received < size) {
      const message = await conn.nextMessage(20_000);
      if (message.method !== 'SEND') continue; // the 200 to our empty SEND
      assert.equal(header(message, 'To-Path'), ownPath);
      parts.push(message.body ?? Buffer.alloc(0));
      received += message.body?.length ?? 0;
    }
    assert.equal((await bye(agent, answer)).status, 200);
    return Buffer.concat(parts);
  };

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: ['alice', 'bob'].map((user) => [user, PASSWORD] as const),
        args: ['--file-transfer-max-bytes', String(1024 * 1024)],
      }),
    );
    transfers = join(missive.dataDir, 'file_transfers');
    bob = peers.add(
      await WebSocketClient.ready(`ws://${LOOPBACK}:${String(missive.ports.ws)}/webrtcgateway/ws`),
    );
    for (const sylkrtc of ['account-add', 'account-register']) {
      const transaction = bob.send({ sylkrtc, account: BOB, password: ha1(BOB, PASSWORD) });
      await frame(bob, sylkrtc, (f) => f.transaction === transaction);
    }
    await frame(bob, 'bob registered', (f) => f.event === 'registration-state' && f.state === 'registered');
    alice = await sipDevice('alice');
    bobSip = await sipDevice('bob');
  });
  after(() => peers.run());

  test('an INVITE without a file-transfer stream gets 488, a malformed SDP 400', async () => {
    const audio = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 4000 RTP/AVP 0',
      '',
    ].join('\r\n');
    const refused = await invite(alice, BOB, audio);
    assert.equal(refused.status, 488);
    const bad = await invite(alice, BOB, 'this is not SDP');
    assert.equal(bad.status, 400);
    assert.match(bad.reason, /^Bad SDP: /);
    const noDirection = offer('msrp://127.0.0.1:1/x;tcp', 'name:"a" size:1', 'sendonly', 'x').replace(
      'a=sendonly\r\n',
      '',
    );
    const ambiguous = await invite(alice, BOB, noDirection);
    assert.equal(ambiguous.status, 400);
  });

  test('a file pushed over MSRP is stored and reaches bob’s WebSocket device as row E; bob pulls it back', async () => {
    const picture = Buffer.alloc(100_000, 7);
    picture.write('\x89PNG\r\n\x1a\n a picture over MSRP', 'latin1');
    await push(picture, 'msrp1', 'p.png', false);

    const event = await frame(bob, 'row E at bob', (f) => f.event === 'message' && f.message_id === 'msrp1');
    assert.deepEqual(readFileSync(join(transferDirectory('msrp1'), 'p.png')), picture);
    assert.equal(event.content_type, 'application/sylk-file-transfer');
    const content = JSON.parse(String(event.content)) as Json;
    assert.equal(content.filename, 'p.png');
    assert.equal(content.filesize, picture.length);
    assert.equal(content.hash, sha1Selector(picture));
    assert.deepEqual(content.sender, { uri: ALICE, display_name: '' });

    // Pull (RFC 5547 §8.2): bob asks for the file by its hash.
    assert.deepEqual(
      await pull(bobSip, 'bob', ALICE, `name:"p.png" hash:${sha1Selector(picture)}`, false),
      picture,
    );

    const unknown = await invite(
      bobSip,
      ALICE,
      offer(
        'msrp://127.0.0.1:40002/x;tcp',
        `hash:${sha1Selector(Buffer.from('nothing'))}`,
        'recvonly',
        'pull2',
      ),
    );
    assert.equal(unknown.status, 404);
  });

  test('a file pushed through missive’s own MSRP relay is stored and announced, and pulled back through it', async () => {
    const file = Buffer.alloc(150_000, 3);
    await push(file, 'msrp2', 'r.png', true);
    await frame(bob, 'row E at bob', (f) => f.event === 'message' && f.message_id === 'msrp2');
    assert.deepEqual(readFileSync(join(transferDirectory('msrp2'), 'r.png')), file);
    assert.deepEqual(await pull(bobSip, 'bob', ALICE, `hash:${sha1Selector(file)}`, true), file);
  });

  test('a session cut mid-file leaves no file and sends no message', async () => {
    const file = Buffer.alloc(80_000, 9);
    const selector = `name:"cut.png" type:image/png size:${String(file.length)}`;
    const ownPath = `msrp://127.0.0.1:40003/${newTid()};tcp`;
    const answer = await invite(alice, BOB, offer(ownPath, selector, 'sendonly', 'cut1'));
    assert.equal(answer.status, 200, answer.reason);
    await ack(alice, answer);
    const endpoint = answerPath(answer);
    const conn = await connectClient({ ...hostPort(endpoint), tls: false });
    await sendChunks(conn, endpoint, ownPath, file, CHUNK * 2);
    await conn.nextMessages(2, 20_000); // both chunks were taken
    assert.ok(
      storedFiles().some((path) => path.startsWith('.partial')),
      'a partial file while it comes',
    );
    conn.socket.destroy();
    await waitFor(
      () => (storedFiles().some((path) => path.startsWith('.partial')) ? undefined : true),
      'the partial file removed',
      { timeoutMs: 20_000 },
    );
    assert.equal(existsSync(transferDirectory('cut1')), false);
    // The BYE after the cut still ends the dialog.
    assert.equal((await bye(alice, answer)).status, 200);
    // A transfer after it is announced: had the cut one been, bob would have had it first.
    await push(Buffer.from('after the cut'), 'msrp3', 'after.png', false);
    await frame(bob, 'the next transfer at bob', (f) => f.event === 'message' && f.message_id === 'msrp3');
    assert.equal(
      bob.frames.some((f) => f.message_id === 'cut1'),
      false,
    );
  });

  test('a file whose SHA-1 is not the selector’s hash is dropped; one over the size limit is refused 488', async () => {
    const file = Buffer.alloc(30_000, 5);
    const wrong = sha1Selector(Buffer.from('another file'));
    const selector = `name:"wrong.png" type:image/png size:${String(file.length)} hash:${wrong}`;
    const ownPath = `msrp://127.0.0.1:40004/${newTid()};tcp`;
    const answer = await invite(alice, BOB, offer(ownPath, selector, 'sendonly', 'wrong1'));
    assert.equal(answer.status, 200, answer.reason);
    await ack(alice, answer);
    const endpoint = answerPath(answer);
    const conn = await connectClient({ ...hostPort(endpoint), tls: false });
    peers.add({ stop: () => Promise.resolve(conn.socket.destroy()).then(() => undefined) });
    await sendChunks(conn, endpoint, ownPath, file);
    await conn.nextMessages(Math.ceil(file.length / CHUNK) + 1, 20_000); // every byte came: the REPORT
    // Stored, the partial file would have been renamed into the transfer's directory; dropped, it is removed.
    await waitFor(
      () => (storedFiles().some((path) => path.startsWith('.partial')) ? undefined : true),
      'the partial file gone',
      { timeoutMs: 20_000 },
    );
    assert.equal(existsSync(transferDirectory('wrong1')), false);
    assert.equal((await bye(alice, answer)).status, 200);

    const large = `name:"big.png" size:${String(2 * 1024 * 1024)}`;
    const refused = await invite(alice, BOB, offer(ownPath, large, 'sendonly', 'big1'));
    assert.equal(refused.status, 488);
    assert.equal(refused.reason, 'File Too Large');
  });
});
