/**
 * Limits with a clean close (max connections in total and per source, connections we open apart, idle
 * timeout, first-request and message deadlines on the manual clock, parser limits) and the RFC 3261 §18.1.1
 * UDP size rule.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, test } from 'node:test';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { type SipMessage, SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import type { StreamConnection } from '../../../src/sip/transport/stream-connection.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { type MessageSource, TransportError } from '../../../src/sip/transport/types.js';
import { ManualClock } from '../../support/manual-clock.js';
import { request, StreamPeer, selfSignedCertificate } from './helpers.js';
import { eventually } from '../../support/wait.js';

/** The server side of the one connection a test opened. */
function serverSide(layer: TransportLayer): StreamConnection | undefined {
  return layer.connections.all()[0] as StreamConnection | undefined;
}

describe('stream limits', () => {
  test('a connection above maxConnections is closed at once; the first keeps working', async () => {
    const layer = new TransportLayer({ maxConnections: 1 });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const first = await StreamPeer.connect(port);
    await eventually(() => layer.connections.size === 1);
    const second = await StreamPeer.connect(port);
    await eventually(() => second.closed);
    first.write('\r\n\r\n');
    await eventually(() => first.pongs === 1);
    first.close();
    await layer.close();
  });

  test('a source above maxConnectionsPerSource is closed at once; another source is served', async () => {
    const layer = new TransportLayer({ maxConnectionsPerSource: 1 });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const first = await StreamPeer.connect(port);
    await eventually(() => layer.inbound.countOf('127.0.0.1') === 1);
    const second = await StreamPeer.connect(port);
    await eventually(() => second.closed);
    const other = new StreamPeer(connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }));
    await once(other.socket, 'connect');
    other.write('\r\n\r\n');
    await eventually(() => other.pongs === 1);
    first.close();
    other.close();
    await layer.close();
  });

  test('connections we open count apart: not against the inbound limits, bounded by maxOutboundConnections', async () => {
    const peerA = new TransportLayer();
    const peerB = new TransportLayer();
    const a = await peerA.listen('tcp', '127.0.0.1', 0);
    const b = await peerB.listen('tcp', '127.0.0.1', 0);
    const layer = new TransportLayer({ maxConnections: 1, maxOutboundConnections: 1 });
    await layer.send(outgoing('one'), { transport: 'tcp', host: '127.0.0.1', port: a.port });
    assert.equal(layer.connections.outboundCount, 1);
    assert.equal(layer.inbound.size, 0, 'not counted as inbound');
    await assert.rejects(
      layer.send(outgoing('two'), { transport: 'tcp', host: '127.0.0.1', port: b.port }),
      (error: unknown) =>
        error instanceof TransportError && /too many connections of ours/.test(error.message),
    );
    // An inbound connection still finds its room.
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const peer = await StreamPeer.connect(port);
    peer.write('\r\n\r\n');
    await eventually(() => peer.pongs === 1);
    peer.close();
    await Promise.all([layer.close(), peerA.close(), peerB.close()]);
  });

  test('a connection with no complete request is closed at firstRequestTimeoutMs, keep-alives or not', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({ clock, firstRequestTimeoutMs: 30_000 });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const idle = await StreamPeer.connect(port);
    const served = await StreamPeer.connect(port);
    await eventually(() => layer.connections.size === 2);
    served.write(request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKf1' }));
    await once(layer, 'message');
    idle.write('\r\n\r\n');
    await eventually(() => idle.pongs === 1);
    clock.advance(30_000);
    await eventually(() => idle.closed);
    served.write('\r\n\r\n');
    await eventually(() => served.pongs === 1);
    assert.equal(served.closed, false);
    served.close();
    await layer.close();
  });

  test('a message not complete within messageTimeoutMs of its first byte is closed', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({ clock, messageTimeoutMs: 32_000 });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const peer = await StreamPeer.connect(port);
    const text = request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKm1' });
    // A whole message, then the first half of the next one in the same write: its deadline starts now.
    peer.write(text + text.slice(0, 40));
    await once(layer, 'message');
    await eventually(() => (serverSide(layer)?.bufferedBytes ?? 0) > 0);
    clock.advance(31_000);
    peer.write(text.slice(40, 60));
    await eventually(() => serverSide(layer)?.bufferedBytes === 60);
    assert.equal(peer.closed, false);
    clock.advance(1000);
    await eventually(() => peer.closed);
    await layer.close();
  });

  test('TLS: a connection still without its handshake at handshakeTimeoutMs is closed; one with it is kept', async () => {
    const clock = new ManualClock();
    const layer = new TransportLayer({
      clock,
      handshakeTimeoutMs: 10_000,
      tls: { server: await selfSignedCertificate() },
    });
    const { port } = await layer.listen('tls', '127.0.0.1', 0);
    const silent = await StreamPeer.connect(port);
    const secure = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    const peer = new StreamPeer(secure);
    await eventually(() => layer.connections.size === 1 && layer.inbound.size === 2);
    clock.advance(10_000);
    await eventually(() => silent.closed);
    peer.write('\r\n\r\n');
    await eventually(() => peer.pongs === 1);
    assert.equal(peer.closed, false);
    peer.close();
    await layer.close();
  });

  test('an idle connection is closed', async () => {
    const layer = new TransportLayer({ idleTimeoutMs: 50 });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const peer = await StreamPeer.connect(port);
    await eventually(() => peer.closed);
    // The peer may see the close before the server's socket reports it and leaves the table.
    await eventually(() => layer.connections.size === 0);
    await layer.close();
  });

  test('a head above maxHeaderBytes gets 513 and a close', async () => {
    const layer = new TransportLayer({ parser: { limits: { maxHeaderBytes: 1024 } } });
    const { port } = await layer.listen('tcp', '127.0.0.1', 0);
    const peer = await StreamPeer.connect(port);
    const padding = `X-Padding: ${'a'.repeat(200)}\r\n`.repeat(10);
    peer.write(request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKl1', extra: padding }));
    await eventually(() => peer.closed);
    const response = peer.received[0];
    assert.equal(response?.kind === 'response' ? response.status : 0, 513);
    await layer.close();
  });
});

function outgoing(body: string): SipRequest {
  const message = new SipRequest({ method: 'MESSAGE', uri: parseUri('sip:bob@127.0.0.1')! });
  for (const [name, value] of [
    ['Via', 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKout'],
    ['From', '<sip:alice@127.0.0.1>;tag=a'],
    ['To', '<sip:bob@127.0.0.1>'],
    ['Call-ID', `out-${body}`],
    ['CSeq', '1 MESSAGE'],
  ] as const)
    message.headers.add(name, value);
  message.body = Buffer.from(body);
  return message;
}

describe('RFC 3261 §18.1.1 large requests', () => {
  test('a request above 1300 bytes bound for UDP goes over TCP with its Via rewritten', async () => {
    const server = new TransportLayer();
    const client = new TransportLayer();
    const { port } = await server.listen('tcp', '127.0.0.1', 0);
    const message = new SipRequest({ method: 'MESSAGE', uri: parseUri('sip:bob@127.0.0.1')! });
    for (const [name, value] of [
      ['Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbig'],
      ['From', '<sip:alice@127.0.0.1>;tag=a'],
      ['To', '<sip:bob@127.0.0.1>'],
      ['Call-ID', 'big-1'],
      ['CSeq', '1 MESSAGE'],
    ] as const)
      message.headers.add(name, value);
    message.body = Buffer.alloc(2000, 0x61);
    const arrived = once(server, 'message') as Promise<[SipMessage, MessageSource]>;
    await client.send(message, { transport: 'udp', host: '127.0.0.1', port });
    const [received, source] = await arrived;
    assert.equal(source.transport, 'tcp');
    assert.equal(getTopVia(received.headers)?.transport, 'TCP');
    assert.equal(received.body.length, 2000);
    await Promise.all([client.close(), server.close()]);
  });
});
