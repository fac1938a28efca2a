/**
 * SIP over WebSocket (RFC 7118) over 127.0.0.1: subprotocol negotiation and refusal, received stamping,
 * responses and requests on the client's connection (never a new one), frames that do not parse, limits,
 * wss, and upgrades shared with another WebSocket application on one HTTP(S) server.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, get as httpGet, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource } from '../../../src/sip/transport/types.js';
import { nextMessage, request, selfSignedCertificate, statusOf } from './helpers.js';
import { eventually } from '../../support/wait.js';
import { WebSocketClient } from '../../support/websocket-client.js';
import { ManualClock } from '../../support/manual-clock.js';
import { withTimeout } from '../../support/wait.js';

function outgoing(body = ''): SipRequest {
  const message = new SipRequest({
    method: 'MESSAGE',
    uri: parseUri('sip:client@client.invalid;transport=ws')!,
  });
  for (const [name, value] of [
    ['Via', 'SIP/2.0/WS server.invalid;branch=z9hG4bKout'],
    ['Max-Forwards', '70'],
    ['From', '<sip:server@127.0.0.1>;tag=s1'],
    ['To', '<sip:client@client.invalid>'],
    ['Call-ID', 'ws-out-1'],
    ['CSeq', '1 MESSAGE'],
  ] as const)
    message.headers.add(name, value);
  message.body = Buffer.from(body, 'latin1');
  return message;
}

/** Connects a peer and sends a REGISTER, returning where the layer saw it come from. */
async function registered(layer: TransportLayer, url: string): Promise<[WebSocketClient, MessageSource]> {
  const peer = await WebSocketClient.sip(url);
  const arrived = nextMessage(layer);
  peer.sendRaw(request({ method: 'REGISTER', via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKreg' }));
  const [, source] = await arrived;
  return [peer, source];
}

describe('WebSocket transport (standalone ws server)', () => {
  const layer = new TransportLayer();
  let url = '';
  let port = 0;

  before(async () => {
    port = (await layer.listen('ws', '127.0.0.1', 0)).port;
    url = `ws://127.0.0.1:${port}/`;
  });
  after(async () => {
    await layer.close();
  });

  test('the sip subprotocol is selected, also among others', async () => {
    const peer = await WebSocketClient.sip(url, {}, ['chat', 'sip']);
    assert.equal(peer.protocol, 'sip');
    peer.terminate();
  });

  test('an upgrade without sip is refused with 400, a plain request with 426; the server goes on', async () => {
    assert.equal(await WebSocketClient.refusal(url, ['sylkRTC-2']), 400);
    assert.equal(await WebSocketClient.refusal(url, []), 400);
    const status = await new Promise<number>((resolve, reject) => {
      httpGet(`http://127.0.0.1:${port}/`, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 426);
    const peer = await WebSocketClient.sip(url);
    assert.equal(peer.protocol, 'sip');
    peer.terminate();
  });

  test('a request arrives stamped with its source, and its response goes back on its connection', async () => {
    const peer = await WebSocketClient.sip(url);
    const arrived = nextMessage(layer);
    // Nobody could be reached at the Via's sent-by: the response must take the connection.
    peer.sendRaw(request({ via: 'SIP/2.0/WS df7jal23ls0d.invalid;rport;branch=z9hG4bKw1', body: 'hello' }));
    const [message, source] = await arrived;
    assert.equal(message.body.toString(), 'hello');
    assert.equal(source.transport, 'ws');
    assert.equal(source.host, '127.0.0.1');
    assert.equal(source.port, peer.localPort);
    assert.equal(source.local.port, port);
    assert.ok(source.connectionId?.startsWith('ws-'));
    const via = getTopVia(message.headers);
    assert.equal(via?.received, '127.0.0.1');
    assert.equal(via.rport, peer.localPort);

    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => peer.sipMessages.length === 1);
    assert.equal(statusOf(peer.sipMessages[0]), 200);
    assert.equal(peer.rawFrames[0]?.binary, false);
    peer.terminate();
  });

  test('a binary frame is a SIP message too', async () => {
    const peer = await WebSocketClient.sip(url);
    const arrived = nextMessage(layer);
    peer.sendRaw(Buffer.from(request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKw2' })), true);
    const [message, source] = await arrived;
    assert.equal(message.kind === 'request' ? message.method : '', 'MESSAGE');
    assert.equal(source.transport, 'ws');
    peer.terminate();
  });

  test('a server-initiated request reaches the client by connectionId, or by its address', async () => {
    const [peer, source] = await registered(layer, url);
    const before = layer.connections.size;
    // The address is wrong on purpose: the connection id decides.
    await layer.send(outgoing('first'), {
      transport: 'ws',
      host: '192.0.2.1',
      port: 1,
      connectionId: source.connectionId,
    });
    await layer.send(outgoing('second'), { transport: 'ws', host: source.host, port: source.port });
    await eventually(() => peer.sipMessages.length === 2);
    assert.deepEqual(
      peer.sipMessages.map((message) => message.body.toString()),
      ['first', 'second'],
    );
    assert.ok(peer.rawFrames.every((frame) => !frame.binary));
    assert.equal(layer.connections.size, before);
    peer.terminate();
  });

  test('a body that is not UTF-8 goes in a binary frame', async () => {
    const [peer, source] = await registered(layer, url);
    await layer.send(outgoing('\u00ff\u00fe'), {
      transport: 'ws',
      host: '',
      port: 0,
      connectionId: source.connectionId,
    });
    await eventually(() => peer.sipMessages.length === 1);
    assert.equal(peer.rawFrames[0]?.binary, true);
    assert.deepEqual(peer.sipMessages[0]?.body, Buffer.of(0xff, 0xfe));
    peer.terminate();
  });

  test('there is no outbound WebSocket connect: a send to a closed or unknown connection rejects', async () => {
    const [peer, source] = await registered(layer, url);
    peer.terminate();
    await eventually(() => layer.connections.byId(source.connectionId!) === undefined);
    await assert.rejects(
      layer.send(outgoing(), {
        transport: 'ws',
        host: source.host,
        port: source.port,
        connectionId: source.connectionId,
      }),
      { name: 'TransportError' },
    );
    // An RFC 5626 flow says so: the proxy answers 430 for it.
    await assert.rejects(
      layer.send(outgoing(), {
        transport: 'ws',
        host: source.host,
        port: source.port,
        connectionId: source.connectionId,
        flowOnly: true,
      }),
      { name: 'FlowFailedError' },
    );
    await assert.rejects(layer.send(outgoing(), { transport: 'ws', host: '127.0.0.1', port }), {
      name: 'TransportError',
    });
    await assert.rejects(layer.send(outgoing(), { transport: 'wss', host: '127.0.0.1', port }), {
      name: 'TransportError',
    });
  });

  test('a malformed request gets a 400 and the connection keeps working', async () => {
    const peer = await WebSocketClient.sip(url);
    peer.sendRaw(
      request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKw3' }).replace(
        'CSeq: 1 MESSAGE',
        'CSeq: 1 INVITE',
      ),
    );
    await eventually(() => peer.sipMessages.length === 1);
    assert.equal(statusOf(peer.sipMessages[0]), 400);
    assert.equal(getTopVia(peer.sipMessages[0]!.headers)?.received, '127.0.0.1');

    const arrived = nextMessage(layer);
    peer.sendRaw(request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKw4' }));
    const [message, source] = await arrived;
    await layer.sendResponse(createResponse(message, 202), source);
    await eventually(() => peer.sipMessages.length === 2);
    assert.equal(statusOf(peer.sipMessages[1]), 202);
    assert.equal(peer.closed, false);
    peer.terminate();
  });

  test('garbage and keepalives are dropped without an answer; the connection keeps working', async () => {
    const peer = await WebSocketClient.sip(url);
    peer.sendRaw('\u0000\u0001\u0002 garbage\r\n\r\n');
    peer.sendRaw('\r\n\r\n');
    const arrived = nextMessage(layer);
    peer.sendRaw(request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKw5' }));
    const [message] = await arrived;
    assert.equal(getTopVia(message.headers)?.branch, 'z9hG4bKw5');
    assert.equal(peer.rawFrames.length, 0);
    assert.equal(peer.closed, false);
    peer.terminate();
  });

  test('close() ends every WebSocket connection', async () => {
    const other = new TransportLayer();
    const { port: otherPort } = await other.listen('ws', '127.0.0.1', 0);
    const peer = await WebSocketClient.sip(`ws://127.0.0.1:${otherPort}/`);
    await eventually(() => other.connections.size === 1);
    await other.close();
    await eventually(() => peer.closed);
    assert.equal(other.connections.size, 0);
  });
});

describe('WebSocket limits', () => {
  test('a frame above maxHeaderBytes + maxBodyBytes closes that connection (1009) only', async () => {
    const layer = new TransportLayer({ parser: { limits: { maxHeaderBytes: 1024, maxBodyBytes: 1024 } } });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const url = `ws://127.0.0.1:${port}/`;
    const big = await WebSocketClient.sip(url);
    const good = await WebSocketClient.sip(url);
    big.sendRaw(request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKl1', body: 'a'.repeat(4096) }));
    await eventually(() => big.closed);
    assert.equal(big.closeCode, 1009);

    const arrived = nextMessage(layer);
    good.sendRaw(request({ via: 'SIP/2.0/WS client.invalid;branch=z9hG4bKl2', body: 'a'.repeat(512) }));
    const [message, source] = await arrived;
    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => good.sipMessages.length === 1);
    assert.equal(good.closed, false);
    good.terminate();
    await layer.close();
  });

  test('an idle connection is closed; one that pings is not', async () => {
    // The manual clock moves the idle timer; the pongs say that the server has read each ping by then.
    const clock = new ManualClock(Date.now());
    // Neither connection sends a request: the first-request deadline (its own test) is set out of the way.
    const layer = new TransportLayer({ idleTimeoutMs: 60_000, firstRequestTimeoutMs: 600_000, clock });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const url = `ws://127.0.0.1:${port}/`;
    const idle = await WebSocketClient.sip(url);
    const pinging = await WebSocketClient.sip(url);
    await eventually(() => layer.connections.size === 2);
    const pingPong = async (): Promise<void> => {
      const pong = once(pinging.socket, 'pong');
      pinging.socket.ping();
      await withTimeout(pong, 5000, 'a pong');
    };
    clock.advance(40_000);
    await pingPong();
    clock.advance(40_000);
    await eventually(() => idle.closed);
    assert.equal(idle.closeCode, 1000);
    // 40 s since its ping, under the 60 s limit; another ping answered shows it is still served.
    await pingPong();
    assert.equal(pinging.closed, false);
    assert.equal(layer.connections.size, 1);
    pinging.terminate();
    await layer.close();
  });

  test('a client that does not read is closed once maxQueuedBytes are waiting', async () => {
    const layer = new TransportLayer({ maxQueuedBytes: 256 * 1024 });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const [peer, source] = await registered(layer, `ws://127.0.0.1:${port}/`);
    peer.socket.pause();
    const body = 'a'.repeat(64 * 1024);
    const target = { transport: 'ws', host: '', port: 0, connectionId: source.connectionId } as const;
    // Enough to fill the kernel's buffers on both sides and then the queue.
    const sends = Array.from({ length: 400 }, () => layer.send(outgoing(body), target));
    const results = await Promise.allSettled(sends);
    const rejected = results.filter((result) => result.status === 'rejected');
    assert.ok(rejected.length > 0);
    const reasons = rejected.map((result) => result.reason as Error);
    assert.ok(reasons.every((reason) => reason.name === 'TransportError'));
    assert.ok(reasons.some((reason) => reason.message.includes('not draining')));
    await eventually(() => layer.connections.size === 0);
    peer.terminate();
    await layer.close();
  });

  test('a connection above maxConnections is closed at once; the first keeps working', async () => {
    const layer = new TransportLayer({ maxConnections: 1 });
    const { port } = await layer.listen('ws', '127.0.0.1', 0);
    const url = `ws://127.0.0.1:${port}/`;
    const [first, source] = await registered(layer, url);
    // Counted from the TCP connect: closed before its upgrade request is read.
    await assert.rejects(WebSocketClient.refusal(url, ['sip']), /socket hang up|ECONNRESET/);
    await layer.send(outgoing('still here'), {
      transport: 'ws',
      host: '',
      port: 0,
      connectionId: source.connectionId,
    });
    await eventually(() => first.sipMessages.length === 1);
    first.terminate();
    await layer.close();
  });
});

const certificate = await selfSignedCertificate();

describe('WebSocket transport (wss)', () => {
  const layer = new TransportLayer({ tls: { server: certificate } });
  let url = '';

  before(async () => {
    const { port } = await layer.listen('wss', '127.0.0.1', 0);
    url = `wss://127.0.0.1:${port}/`;
  });
  after(async () => {
    await layer.close();
  });

  test('round trip over TLS with a self-signed certificate', async () => {
    const peer = await WebSocketClient.sip(url, { ca: certificate.cert });
    assert.equal(peer.protocol, 'sip');
    const arrived = nextMessage(layer);
    peer.sendRaw(request({ via: 'SIP/2.0/WSS client.invalid;branch=z9hG4bKs1', body: 'secret' }));
    const [message, source] = await arrived;
    assert.equal(source.transport, 'wss');
    assert.ok(source.connectionId?.startsWith('wss-'));
    assert.equal(message.body.toString(), 'secret');
    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => peer.sipMessages.length === 1);
    assert.equal(statusOf(peer.sipMessages[0]), 200);
    peer.terminate();
  });

  test('an untrusted client fails the handshake without affecting the server', async () => {
    await assert.rejects(WebSocketClient.sip(url));
    const peer = await WebSocketClient.sip(url, { ca: certificate.cert });
    assert.equal(peer.protocol, 'sip');
    peer.terminate();
  });
});

/** A stand-in for the JSON API: a second WebSocket application on the same server, subprotocol sylkRTC-2. */
function jsonApi(): { readonly server: WebSocketServer; readonly sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  const server = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('sylkRTC-2') ? 'sylkRTC-2' : false),
  });
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      socket.send(data);
    });
  });
  return { server, sockets };
}

function shareUpgrades(
  layer: TransportLayer,
  api: WebSocketServer,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    if (layer.handleUpgrade(request, socket, head)) return;
    api.handleUpgrade(request, socket, head, (webSocket) => {
      api.emit('connection', webSocket, request);
    });
  };
}

describe('WebSocket transport on a shared server', () => {
  test('http: sip upgrades go to the layer, others to the other application', async () => {
    const layer = new TransportLayer();
    const api = jsonApi();
    const server = createHttpServer();
    server.on('upgrade', shareUpgrades(layer, api.server));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/webrtcgateway/ws`;

    const client = await WebSocketClient.sip(url, {}, ['sylkRTC-2']);
    assert.equal(client.protocol, 'sylkRTC-2');
    client.sendRaw('{"sylkrtc":"ping"}');
    await eventually(() => client.rawFrames.length === 1);
    assert.equal(client.rawFrames[0]?.data.toString(), '{"sylkrtc":"ping"}');
    assert.equal(api.sockets.length, 1);
    assert.equal(layer.connections.size, 0);

    const [sip, source] = await registered(layer, url);
    assert.equal(sip.protocol, 'sip');
    assert.equal(source.transport, 'ws');
    assert.equal(layer.connections.size, 1);

    // The layer's close() leaves the shared server and the other application alone.
    await layer.close();
    await eventually(() => sip.closed);
    assert.equal(client.closed, false);
    client.terminate();
    server.closeAllConnections();
    server.close();
  });

  test('https: an upgrade that came over TLS is wss', async () => {
    const layer = new TransportLayer();
    const api = jsonApi();
    const server = createHttpsServer(certificate);
    server.on('upgrade', shareUpgrades(layer, api.server));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const peer = await WebSocketClient.sip(url, { ca: certificate.cert });
    const arrived = nextMessage(layer);
    peer.sendRaw(request({ via: 'SIP/2.0/WSS client.invalid;branch=z9hG4bKh1' }));
    const [message, source] = await arrived;
    assert.equal(source.transport, 'wss');
    await layer.sendResponse(createResponse(message, 200), source);
    await eventually(() => peer.sipMessages.length === 1);
    peer.terminate();
    await layer.close();
    server.closeAllConnections();
    server.close();
  });
});
