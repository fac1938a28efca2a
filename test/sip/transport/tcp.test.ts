/**
 * TCP over 127.0.0.1: split writes, received stamping, responses and requests reusing the client's
 * connection, flow-only sends, keepalive ping/pong, and a bad peer closed while others keep working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { type SipMessage, SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { FlowFailedError } from '../../../src/sip/transport/types.js';
import { nextMessage, request, statusOf, StreamPeer } from './helpers.js';
import { eventually } from '../../support/wait.js';

describe('TCP transport', () => {
  const layer = new TransportLayer();
  let port = 0;

  before(async () => {
    port = (await layer.listen('tcp', '127.0.0.1', 0)).port;
  });
  after(async () => {
    await layer.close();
  });

  test('a request written one byte at a time arrives whole, stamped, and its response reuses the connection', async () => {
    const peer = await StreamPeer.connect(port);
    const arrived = nextMessage(layer);
    // Nobody listens on the Via's sent-by: the response must take the connection, not the Via address.
    await peer.writeBytewise(
      request({ via: 'SIP/2.0/TCP client.invalid:5099;branch=z9hG4bKt1', body: 'hello' }),
    );
    const [message, source] = await arrived;
    assert.equal(message.body.toString(), 'hello');
    assert.equal(source.transport, 'tcp');
    assert.equal(source.port, peer.localPort);
    assert.ok(source.connectionId !== undefined);
    assert.equal(getTopVia(message.headers)?.received, '127.0.0.1');

    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => peer.received.length === 1);
    assert.equal(statusOf(peer.received[0]), 200);
    peer.close();
  });

  test('a request to a connected client goes out on its connection', async () => {
    const peer = await StreamPeer.connect(port);
    const arrived = nextMessage(layer);
    peer.write(request({ method: 'REGISTER', via: 'SIP/2.0/TCP client.invalid;rport;branch=z9hG4bKt2' }));
    const [, source] = await arrived;
    const before = layer.connections.size;
    const outgoing = new SipRequest({ method: 'OPTIONS', uri: parseUri('sip:client@127.0.0.1')! });
    for (const [name, value] of [
      ['Via', 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKout'],
      ['From', '<sip:server@127.0.0.1>;tag=s1'],
      ['To', '<sip:client@127.0.0.1>'],
      ['Call-ID', 'out-1'],
      ['CSeq', '1 OPTIONS'],
    ] as const)
      outgoing.headers.add(name, value);
    await layer.send(outgoing, { transport: 'tcp', host: source.host, port: source.port });
    await eventually(() => peer.received.length === 1);
    const received = peer.received[0];
    assert.equal(received?.kind === 'request' ? received.method : '', 'OPTIONS');
    assert.equal(layer.connections.size, before);
    peer.close();
  });

  test('a flow-only send over a closed connection fails with FlowFailedError and opens none (RFC 5626 §5.3)', async () => {
    const peer = await StreamPeer.connect(port);
    const arrived = nextMessage(layer);
    peer.write(request({ method: 'REGISTER', via: 'SIP/2.0/TCP client.invalid;rport;branch=z9hG4bKt3' }));
    const [message, source] = await arrived;
    const before = layer.connections.size;
    peer.close();
    await eventually(() => layer.connections.size === before - 1);
    // A listening address: without flowOnly the layer would connect there.
    const target = { transport: 'tcp', host: '127.0.0.1', port, connectionId: source.connectionId } as const;
    await assert.rejects(layer.send(message, { ...target, flowOnly: true }), FlowFailedError);
    assert.equal(layer.connections.size, before - 1);
  });

  test('a CRLFCRLF ping gets a CRLF pong', async () => {
    const peer = await StreamPeer.connect(port);
    peer.write('\r\n\r\n');
    await eventually(() => peer.pongs === 1);
    peer.close();
  });

  test('a request without Content-Length gets a 400 and its connection is closed; others keep working', async () => {
    const bad = await StreamPeer.connect(port);
    const good = await StreamPeer.connect(port);
    bad.write(
      request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKt3' }).replace('Content-Length: 0\r\n', ''),
    );
    await eventually(() => bad.closed);
    assert.equal(statusOf(bad.received[0]), 400);

    const arrived = nextMessage(layer);
    good.write(request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKt4' }));
    const [message, source] = await arrived;
    await layer.sendResponse(createResponse(message, 202), source);
    await eventually(() => good.received.length === 1);
    assert.equal(statusOf(good.received[0]), 202);
    assert.equal(good.closed, false);
    good.close();
  });

  test('garbage closes the connection without an answer', async () => {
    const peer = await StreamPeer.connect(port);
    peer.write('\u0000\u0001\u0002 garbage\r\n\r\n');
    await eventually(() => peer.closed);
    assert.equal(peer.received.length, 0);
  });

  test('a peer that closes mid-message is forgotten', async () => {
    const peer = await StreamPeer.connect(port);
    await eventually(() => layer.connections.size >= 1);
    const before = layer.connections.size;
    peer.write(request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKt5', body: 'abc' }).slice(0, -2));
    peer.socket.end();
    await eventually(() => layer.connections.size === before - 1);
  });

  test('a pipelined request with a bad header is answered and the connection goes on', async () => {
    const peer = await StreamPeer.connect(port);
    const messages: SipMessage[] = [];
    const collect = (message: SipMessage): void => {
      messages.push(message);
    };
    layer.on('message', collect);
    peer.write(
      request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKt6' }).replace(
        'CSeq: 1 MESSAGE',
        'CSeq: 1 INVITE',
      ) + request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKt7' }),
    );
    await eventually(() => messages.length === 1 && peer.received.length === 1);
    layer.off('message', collect);
    assert.equal(statusOf(peer.received[0]), 400);
    assert.equal(getTopVia(messages[0]!.headers)?.branch, 'z9hG4bKt7');
    assert.equal(peer.closed, false);
    peer.close();
  });
});
