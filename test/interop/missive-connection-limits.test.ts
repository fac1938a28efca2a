/**
 * Stream connection exhaustion against `missive serve` (security issue 10, point 4), each attack from its own
 * source address (127.0.0.x) so that the per-source counts stay apart:
 * - one source opening more connections than --max-connections-per-source is refused beyond it, on the SIP
 *   port and on the web port (one count), while another source still connects and registers;
 * - a TLS connection that never sends a ClientHello is closed at --handshake-timeout;
 * - a web port connection whose upgrade request never completes is closed at --handshake-timeout;
 * - a message fed a byte at a time is closed at --message-timeout, and a connection that only sends
 *   keep-alives, never a request, at --first-request-timeout;
 * - a UDP request whose top Via says TCP is answered over UDP, and missive opens no TCP connection for it.
 * Deadlines are short here so that the test is quick; each wait is for the close itself, bounded well below
 * what the code without these deadlines would take (Node's own 10 s headers timeout, 120 s TLS handshake
 * timeout, the 10 minute idle time).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { parseDatagram } from '../../src/sip/parser/datagram.js';
import type { SipResponse } from '../../src/sip/message/message.js';
import { MissiveProcess } from '../support/missive-process.js';
import { waitFor } from '../support/wait.js';
import { Cleanup } from './harness/cleanup.js';
import { optionsText, TcpSipPeer } from './harness/tcp-sip-peer.js';

const DOMAIN = 'example.test';
const PASSWORD = 'secret';
const PER_SOURCE = 5;
/** Far below what the code without the deadline takes, far above the deadline itself (1 to 3 s). */
const CLOSE_WITHIN_MS = 8000;

function callId(): string {
  return randomBytes(8).toString('hex');
}

/** Resolves when the socket closes; rejects after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`still open after ${String(ms)} ms`));
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function rawConnect(localAddress: string, port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

describe('missive: stream connection limits and deadlines', () => {
  const peers = new Cleanup();
  let missive: MissiveProcess;
  const stopping: Socket[] = [];

  before(async () => {
    missive = peers.add(
      await MissiveProcess.start({
        domain: DOMAIN,
        users: [['alice', PASSWORD]],
        args: [
          '--max-connections-per-source',
          String(PER_SOURCE),
          '--handshake-timeout',
          '1',
          '--first-request-timeout',
          '2',
          '--message-timeout',
          '3',
        ],
      }),
    );
  });
  after(async () => {
    for (const socket of stopping) socket.destroy();
    await peers.run();
  });

  const tcpPeer = async (source: string): Promise<TcpSipPeer> =>
    peers.add(await TcpSipPeer.connect(source, missive.ports.sip));

  test(`a source is refused beyond ${String(PER_SOURCE)} connections; another source registers`, async () => {
    const flood = '127.0.0.3';
    for (let i = 0; i < PER_SOURCE; i++) {
      const peer = await tcpPeer(flood);
      const id = callId();
      const answer = await peer.request(optionsText(peer, DOMAIN, id), id);
      assert.notEqual(answer, 'closed', `connection ${String(i + 1)} is served`);
    }
    const extra = await tcpPeer(flood);
    const id = callId();
    assert.equal(await extra.request(optionsText(extra, DOMAIN, id), id), 'closed', 'closed, unanswered');
    // The web port counts against the same limit: a WebSocket from the flooding source is not opened.
    const webSocket = new WebSocket(`ws://127.0.0.1:${String(missive.ports.ws)}/`, ['sip'], {
      localAddress: flood,
    });
    const outcome = await new Promise<string>((resolve) => {
      webSocket.once('open', () => {
        resolve('open');
      });
      webSocket.once('error', () => {
        resolve('refused');
      });
    });
    webSocket.terminate();
    assert.equal(outcome, 'refused');
    const neighbour = await tcpPeer('127.0.0.2');
    const registered = await neighbour.register('alice', PASSWORD, DOMAIN);
    assert.ok(registered !== 'closed', 'another source is served');
    assert.equal(registered.status, 200);
  });

  test('a TLS connection that never sends its ClientHello is closed at the handshake deadline', async () => {
    const socket = await rawConnect('127.0.0.4', missive.ports.sips);
    stopping.push(socket);
    await closedWithin(socket, CLOSE_WITHIN_MS);
  });

  test('a web port connection whose upgrade request never completes is closed at the deadline', async () => {
    const socket = await rawConnect('127.0.0.5', missive.ports.ws);
    stopping.push(socket);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
    await closedWithin(socket, CLOSE_WITHIN_MS);
  });

  test('a message fed a byte at a time is closed at the message deadline', async () => {
    const peer = await tcpPeer('127.0.0.6');
    const first = callId();
    // A complete request first: what follows is judged by the message deadline alone.
    assert.notEqual(await peer.request(optionsText(peer, DOMAIN, first), first), 'closed');
    const slow = callId();
    const text = optionsText(peer, DOMAIN, slow);
    // One byte every 200 ms: the message would take about a minute.
    void peer.dribble(text, 200);
    await peer.until(() => (peer.isEnded ? true : undefined), CLOSE_WITHIN_MS);
    assert.equal(peer.responses.length, 1, 'the dribbled message was never completed');
  });

  test('a connection that sends keep-alives but never a request is closed at the first-request deadline', async () => {
    const peer = await tcpPeer('127.0.0.7');
    const ping = setInterval(() => {
      peer.write('\r\n\r\n');
    }, 200);
    try {
      await peer.until(() => (peer.isEnded ? true : undefined), CLOSE_WITHIN_MS);
    } finally {
      clearInterval(ping);
    }
    assert.ok(peer.pongs > 0, 'the keep-alives were answered while it was open');
  });

  test('a UDP request with a TCP Via is answered over UDP, and no TCP connection is opened', async () => {
    const host = '127.0.0.8';
    const connections: Socket[] = [];
    const listener = createServer((socket) => {
      connections.push(socket);
      socket.destroy();
    });
    listener.listen(0, host);
    await once(listener, 'listening');
    const address = listener.address();
    assert.ok(address !== null && typeof address !== 'string');
    const port = address.port;
    const udp = createSocket('udp4');
    udp.bind(port, host);
    await once(udp, 'listening');
    try {
      const responses: SipResponse[] = [];
      udp.on('message', (packet) => {
        const parsed = parseDatagram(packet);
        if (parsed.kind === 'message' && parsed.message.kind === 'response') responses.push(parsed.message);
      });
      const ask = async (transport: 'TCP' | 'UDP'): Promise<SipResponse> => {
        const id = callId();
        const text = [
          `REGISTER sip:${DOMAIN} SIP/2.0`,
          // No rport: the Via's sent-by (this port) is the only place named to answer.
          `Via: SIP/2.0/${transport} ${host}:${String(port)};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
          'Max-Forwards: 70',
          `From: <sip:alice@${DOMAIN}>;tag=${id.slice(0, 8)}`,
          `To: <sip:alice@${DOMAIN}>`,
          `Call-ID: ${id}`,
          'CSeq: 1 REGISTER',
          `Contact: <sip:alice@${host}:${String(port)}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        udp.send(text, missive.ports.sip, '127.0.0.1');
        return waitFor(
          () => responses.find((candidate) => candidate.headers.get('Call-ID') === id),
          `a UDP response to the ${transport} Via`,
        );
      };
      assert.equal((await ask('TCP')).status, 401, 'answered over UDP');
      // A later request answered in turn: had missive connected out for the first, it would have by now.
      assert.equal((await ask('UDP')).status, 401);
      assert.equal(connections.length, 0, 'missive opened no TCP connection');
    } finally {
      udp.close();
      listener.close();
    }
  });
});
