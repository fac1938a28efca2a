/**
 * Connection ids outlive the process that made them: the registrar stores them with a binding, and several
 * instances may share one store. Over 127.0.0.1: two transport layers (two "processes") never hand out the
 * same id, and a send to a recorded flow (SendTarget.verifyAddress) takes the connection its id names only
 * while that connection still comes from the recorded address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import { ConnectionTable } from '../../../src/sip/transport/connection-table.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import {
  FlowFailedError,
  type MessageSource,
  type TransportProtocol,
} from '../../../src/sip/transport/types.js';
import { nextMessage, request, StreamPeer } from './helpers.js';
import { eventually } from '../../support/wait.js';
import { WebSocketClient } from '../../support/websocket-client.js';

function outgoing(body: string): SipRequest {
  const message = new SipRequest({ method: 'MESSAGE', uri: parseUri('sip:bob@127.0.0.1')! });
  for (const [name, value] of [
    ['Via', 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKids'],
    ['Max-Forwards', '70'],
    ['From', '<sip:server@127.0.0.1>;tag=s1'],
    ['To', '<sip:bob@127.0.0.1>'],
    ['Call-ID', 'ids-1'],
    ['CSeq', '1 MESSAGE'],
  ] as const)
    message.headers.add(name, value);
  message.body = Buffer.from(body);
  return message;
}

/** A peer's connection to `layer`, as the layer saw it (the source of its first request). */
async function connectTcp(layer: TransportLayer, port: number): Promise<[StreamPeer, MessageSource]> {
  const peer = await StreamPeer.connect(port);
  const arrived = nextMessage(layer);
  peer.write(request({ method: 'REGISTER', via: 'SIP/2.0/TCP client.invalid;rport;branch=z9hG4bKreg' }));
  const [, source] = await arrived;
  return [peer, source];
}

async function connectWs(layer: TransportLayer, port: number): Promise<[WebSocketClient, MessageSource]> {
  const peer = await WebSocketClient.sip(`ws://127.0.0.1:${String(port)}/`);
  const arrived = nextMessage(layer);
  peer.sendRaw(request({ method: 'REGISTER', via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKreg' }));
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
      for (const peer of [peerOne, peerTwo]) peer.close();
      for (const peer of [wsPeerOne, wsPeerTwo]) peer.terminate();
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe('a recorded flow whose id names another peer’s connection', () => {
  const layer = new TransportLayer();
  let tcpPort = 0;
  let wsPort = 0;

  before(async () => {
    tcpPort = (await layer.listen('tcp', '127.0.0.1', 0)).port;
    wsPort = (await layer.listen('ws', '127.0.0.1', 0)).port;
  });
  after(async () => {
    await layer.close();
  });

  test('TCP: not sent over that connection; a flow fails, another target goes to its own address', async () => {
    // Mallory's live connection happens to carry the id a stored binding of Bob recorded elsewhere.
    const [mallory, live] = await connectTcp(layer, tcpPort);
    // Bob's recorded address now: a peer that listens there (the fallback connects to it, as before).
    const bob = new TransportLayer();
    const bobPort = (await bob.listen('tcp', '127.0.0.1', 0)).port;
    try {
      const stale = {
        transport: 'tcp',
        host: '127.0.0.1',
        port: bobPort,
        connectionId: live.connectionId,
        verifyAddress: true,
      } as const;
      await assert.rejects(layer.send(outgoing('flow'), { ...stale, flowOnly: true }), FlowFailedError);
      const arrived = nextMessage(bob);
      await layer.send(outgoing('fallback'), stale);
      const [message] = await arrived;
      assert.equal(message.body.toString(), 'fallback');

      // The connection's own address still matches: the id is used. Its first message is that one: nothing
      // reached the live connection before (one connection, in order).
      await layer.send(outgoing('mine'), { ...stale, port: live.port, flowOnly: true });
      await eventually(() => mallory.received.length > 0, 'a message at the live connection');
      assert.deepEqual(
        mallory.received.map((m) => m.body.toString()),
        ['mine'],
        'nothing else reached the live connection',
      );
    } finally {
      mallory.close();
      await bob.close();
    }
  });

  test('WebSocket: not sent over that connection (430 for a flow, no connection for another target)', async () => {
    const [mallory, live] = await connectWs(layer, wsPort);
    const stale = {
      transport: 'ws',
      host: '127.0.0.1',
      port: live.port + 1,
      connectionId: live.connectionId,
      verifyAddress: true,
    } as const;
    await assert.rejects(layer.send(outgoing('flow'), { ...stale, flowOnly: true }), FlowFailedError);
    await assert.rejects(layer.send(outgoing('other'), stale), { name: 'TransportError' });

    // Its first message is the one for its own address: nothing reached it before (one connection, in order).
    await layer.send(outgoing('mine'), { ...stale, port: live.port, flowOnly: true });
    await eventually(() => mallory.sipMessages.length > 0, 'a message at the live connection');
    assert.deepEqual(
      mallory.sipMessages.map((m) => m.body.toString()),
      ['mine'],
      'nothing else reached the live connection',
    );
    mallory.terminate();
  });
});
