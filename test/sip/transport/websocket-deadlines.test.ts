/**
 * WebSocket deadlines on the manual clock, over a raw TCP client that speaks the handshake itself: the
 * upgrade request must come within handshakeTimeoutMs of the connect, a frame must arrive whole within
 * messageTimeoutMs of its first bytes, and a connection with no complete request is closed at
 * firstRequestTimeoutMs.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { WebSocketConnection } from '../../../src/sip/transport/websocket-connection.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { ManualClock } from '../../support/manual-clock.js';
import { eventually } from '../../support/wait.js';

const UPGRADE = [
  'GET / HTTP/1.1',
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  'Sec-WebSocket-Protocol: sip',
  '',
  '',
].join('\r\n');

/** A masked client frame (RFC 6455 §5.2) with a zero mask: the payload goes as is. */
function frame(opcode: number, payload: Buffer): Buffer {
  assert.ok(payload.length < 126);
  return Buffer.concat([Buffer.of(0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0), payload]);
}

class RawClient {
  data = '';
  closed = false;

  constructor(readonly socket: Socket) {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.data += chunk.toString('latin1');
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawClient(socket);
  }
}

/** A close frame with status 1000 (RFC 6455 §5.5.1, §7.4.1), unmasked from the server. */
const CLOSE_FRAME = '\x88\x02\x03\xe8';

/** The server sends its close frame; this client does not answer it, so the socket goes after the grace time. */
async function closedCleanly(client: RawClient, clock: ManualClock): Promise<void> {
  await eventually(() => client.data.includes(CLOSE_FRAME));
  clock.advance(2000);
  await eventually(() => client.closed);
}

function only(layer: TransportLayer): WebSocketConnection | undefined {
  return layer.connections.all()[0] as WebSocketConnection | undefined;
}

describe('WebSocket deadlines', () => {
  test('a connection that does not send its upgrade request in time is closed', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({ clock, handshakeTimeoutMs: 10_000 });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const silent = await RawClient.open(port);
    const upgraded = await RawClient.open(port);
    upgraded.socket.write(UPGRADE);
    await eventually(() => upgraded.data.startsWith('HTTP/1.1 101'));
    await eventually(() => layer.inbound.size === 2);
    clock.advance(10_000);
    await eventually(() => silent.closed);
    assert.equal(upgraded.closed, false);
    upgraded.socket.destroy();
    await layer.close();
  });

  test('a frame that is not whole within messageTimeoutMs of its first bytes is closed', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({ clock, messageTimeoutMs: 32_000, firstRequestTimeoutMs: 600_000 });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const client = await RawClient.open(port);
    client.socket.write(UPGRADE);
    await eventually(() => client.data.startsWith('HTTP/1.1 101'));
    await eventually(() => only(layer) !== undefined);
    // A whole ping is answered and leaves nothing pending.
    client.socket.write(frame(0x9, Buffer.from('hi')));
    await eventually(() => client.data.includes('\x8a\x02hi'));
    assert.equal(only(layer)?.receivingMessage, false);
    // Then a text frame's first bytes, and no more.
    client.socket.write(frame(0x1, Buffer.from('OPTIONS sip:x SIP/2.0\r\n')).subarray(0, 10));
    await eventually(() => only(layer)?.receivingMessage === true);
    clock.advance(31_999);
    assert.equal(client.data.includes(CLOSE_FRAME), false);
    clock.advance(1);
    await closedCleanly(client, clock);
    await layer.close();
  });

  test('a connection that sends pings but no request is closed at firstRequestTimeoutMs', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({ clock, firstRequestTimeoutMs: 30_000 });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const client = await RawClient.open(port);
    client.socket.write(UPGRADE);
    await eventually(() => client.data.startsWith('HTTP/1.1 101'));
    await eventually(() => only(layer) !== undefined);
    client.socket.write(frame(0x9, Buffer.from('hi')));
    await eventually(() => client.data.includes('\x8a\x02hi'));
    clock.advance(30_000);
    await closedCleanly(client, clock);
    await layer.close();
  });
});
