/**
 * Connection ids outlive the process that made them: the registrar stores them with a binding, and several
 * instances may share one store. Over 127.0.0.1: two transport layers (two "processes") never hand out the
 * same id.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import type { SipMessage } from '../../../src/sip/message/message.js';
import { ConnectionTable } from '../../../src/sip/transport/connection-table.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource, TransportProtocol } from '../../../src/sip/transport/types.js';
import { request, StreamPeer } from './helpers.js';
import { WebSocketPeer } from './websocket-peer.js';

function nextMessage(layer: TransportLayer): Promise<[SipMessage, MessageSource]> {
  return once(layer, 'message') as Promise<[SipMessage, MessageSource]>;
}

/** A peer's connection to `layer`, as the layer saw it (the source of its first request). */
async function connectTcp(layer: TransportLayer, port: number): Promise<[StreamPeer, MessageSource]> {
  const peer = await StreamPeer.connect(port);
  const arrived = nextMessage(layer);
  peer.write(request({ method: 'REGISTER', via: 'SIP/2.0/TCP client.invalid;rport;branch=z9hG4bKreg' }));
  const [, source] = await arrived;
  return [peer, source];
}

async function connectWs(layer: TransportLayer, port: number): Promise<[WebSocketPeer, MessageSource]> {
  const peer = await WebSocketPeer.connect(`ws://127.0.0.1:${String(port)}/`);
  const arrived = nextMessage(layer);
  peer.send(request({ method: 'REGISTER', via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKreg' }));
  const [, source] = await arrived;
  return [peer, source];
}

describe('connection ids across processes', () => {
  test('two connection tables never hand out the same id', () => {
    const first = new ConnectionTable(10);
    const second = new ConnectionTable(10);
    const protocols: TransportProtocol[] = ['tcp', 'tls', 'ws', 'wss'];
    const ids = (table: ConnectionTable): string[] =>
      protocols.flatMap((protocol) => Array.from({ length: 50 }, () => table.newId(protocol)));
    const a = ids(first);
    const b = ids(second);
    assert.equal(new Set(a).size, a.length);
    const shared = a.filter((id) => b.includes(id));
    assert.deepEqual(shared, []);
    // Still short and readable in logs: protocol, a token, a counter.
    for (const id of [...a, ...b]) assert.match(id, /^(tcp|tls|ws|wss)-[0-9a-f]{8}-\d+$/);
  });

  test('the first connection of two layers gets different ids (TCP and WebSocket)', async () => {
    const one = new TransportLayer();
    const two = new TransportLayer();
    try {
      const tcpOne = (await one.listen('tcp', '127.0.0.1', 0)).port;
      const tcpTwo = (await two.listen('tcp', '127.0.0.1', 0)).port;
      const wsOne = (await one.listen('ws', '127.0.0.1', 0)).port;
      const wsTwo = (await two.listen('ws', '127.0.0.1', 0)).port;
      const [peerOne, sourceOne] = await connectTcp(one, tcpOne);
      const [peerTwo, sourceTwo] = await connectTcp(two, tcpTwo);
      const [wsPeerOne, wsSourceOne] = await connectWs(one, wsOne);
      const [wsPeerTwo, wsSourceTwo] = await connectWs(two, wsTwo);
      assert.ok(sourceOne.connectionId !== undefined && wsSourceOne.connectionId !== undefined);
      assert.notEqual(sourceOne.connectionId, sourceTwo.connectionId);
      assert.notEqual(wsSourceOne.connectionId, wsSourceTwo.connectionId);
      // An id of the other layer names nothing here.
      assert.equal(two.connections.byId(sourceOne.connectionId), undefined);
      assert.equal(two.connections.byId(wsSourceOne.connectionId), undefined);
      for (const peer of [peerOne, peerTwo, wsPeerOne, wsPeerTwo]) peer.close();
    } finally {
      await one.close();
      await two.close();
    }
  });
});
