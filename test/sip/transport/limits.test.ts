/** Limits with a clean close (max connections, idle timeout, parser limits) and the §18.1.1 UDP size rule. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { type SipMessage, SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource } from '../../../src/sip/transport/types.js';
import { request, StreamPeer } from './helpers.js';
import { eventually } from '../../support/wait.js';

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

describe('§18.1.1 large requests', () => {
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
