/** UDP over 127.0.0.1: received/rport stamping, responses per RFC 3261 §18.2.2, 400 for a malformed request. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import type { SipMessage } from '../../../src/sip/message/message.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource } from '../../../src/sip/transport/types.js';
import { request, UdpPeer } from './helpers.js';
import { eventually } from '../../support/wait.js';

describe('UDP transport', () => {
  const layer = new TransportLayer();
  const peer = new UdpPeer();
  let serverPort = 0;
  let peerPort = 0;

  before(async () => {
    serverPort = (await layer.listen('udp', '127.0.0.1', 0)).port;
    peerPort = await peer.bind();
  });
  after(async () => {
    peer.close();
    await layer.close();
  });

  test('a request is stamped with received and rport, and its response goes back to them', async () => {
    const arrived = once(layer, 'message') as Promise<[SipMessage, MessageSource]>;
    peer.send(request({ via: 'SIP/2.0/UDP 10.9.9.9:5070;rport;branch=z9hG4bKu1' }), serverPort);
    const [message, source] = await arrived;
    assert.equal(source.transport, 'udp');
    assert.equal(source.port, peerPort);
    assert.equal(source.local.port, serverPort);
    const via = getTopVia(message.headers);
    assert.equal(via?.received, '127.0.0.1');
    assert.equal(via.rport, peerPort);

    assert.equal(message.kind, 'request');
    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => peer.received.length === 1);
    const response = peer.received[0];
    assert.equal(response?.kind === 'response' ? response.status : 0, 200);
  });

  test('a CRLF keepalive datagram is ignored', async () => {
    let messages = 0;
    const count = (): void => {
      messages++;
    };
    layer.on('message', count);
    peer.send('\r\n\r\n', serverPort);
    peer.send(request({ via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKu2' }), serverPort);
    await eventually(() => messages === 1);
    layer.off('message', count);
  });

  test('a malformed request gets a 400 at its source address', async () => {
    peer.received.length = 0;
    const text = request({ via: 'SIP/2.0/UDP 10.9.9.9:5070;branch=z9hG4bKu3' }).replace(
      'Content-Length: 0',
      'Content-Length: 50',
    );
    peer.send(text, serverPort);
    await eventually(() => peer.received.length === 1);
    const response = peer.received[0];
    assert.ok(response?.kind === 'response');
    assert.equal(response.status, 400);
    assert.equal(getTopVia(response.headers)?.branch, 'z9hG4bKu3');
    assert.equal(getTopVia(response.headers)?.received, '127.0.0.1');
  });

  test('garbage is dropped and the transport keeps working', async () => {
    peer.received.length = 0;
    peer.send('\u0000\u0001 not sip at all\r\n\r\n', serverPort);
    const arrived = once(layer, 'message');
    peer.send(request({ via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKu4' }), serverPort);
    await arrived;
    assert.equal(peer.received.length, 0);
  });
});
