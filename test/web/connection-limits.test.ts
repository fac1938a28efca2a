/**
 * The web port's connections on the manual clock: the first request head (an HTTP request or a WebSocket
 * upgrade) must come within handshakeTimeoutMs of the TCP connect, and, given the SIP transports'
 * InboundConnections, every connection counts against their per-source limit from its connect.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { InboundConnections } from '../../src/sip/transport/inbound-connections.js';
import { WebServer } from '../../src/web/http-server.js';
import { ManualClock } from '../support/manual-clock.js';
import { eventually } from '../support/wait.js';

async function open(port: number): Promise<{ socket: Socket; closed: () => boolean; data: () => string }> {
  const socket = connect({ host: '127.0.0.1', port });
  let closed = false;
  let data = '';
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('latin1');
  });
  await once(socket, 'connect');
  return { socket, closed: () => closed, data: () => data };
}

describe('web port connections', () => {
  test('a connection without a request head by the deadline is closed; one that sent a request is kept', async () => {
    const clock = new ManualClock();
    const inbound = new InboundConnections({ maxConnections: 100, maxPerSource: 100 });
    const server = new WebServer({
      fetch: () => new Response('ok'),
      upgrades: {},
      clock,
      inbound,
      limits: { handshakeTimeoutMs: 10_000 },
    });
    const { port } = await server.listen('127.0.0.1', 0);
    const silent = await open(port);
    const partial = await open(port);
    const served = await open(port);
    await eventually(() => inbound.size === 3);
    partial.socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    served.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => served.data().includes('\r\n\r\nok'));
    clock.advance(10_000);
    await eventually(() => silent.closed() && partial.closed());
    // Kept: a second request on it is answered.
    served.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => served.data().split('\r\n\r\nok').length === 3);
    assert.equal(served.closed(), false);
    served.socket.destroy();
    await server.close();
  });

  test('connections count against the inbound per-source limit from their connect', async () => {
    const inbound = new InboundConnections({ maxConnections: 100, maxPerSource: 1 });
    const server = new WebServer({ fetch: () => new Response('ok'), upgrades: {}, inbound });
    const { port } = await server.listen('127.0.0.1', 0);
    const first = await open(port);
    await eventually(() => inbound.countOf('127.0.0.1') === 1);
    const second = await open(port);
    await eventually(() => second.closed());
    first.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await eventually(() => first.data().includes('\r\n\r\nok'));
    first.socket.destroy();
    await eventually(() => inbound.size === 0);
    await server.close();
  });
});
