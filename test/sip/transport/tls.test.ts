/** TLS over 127.0.0.1 between two transport layers: a request out on a new connection, its response back on it. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { getTopVia } from '../../../src/sip/headers/via.js';
import { createResponse } from '../../../src/sip/message/create-response.js';
import { type SipMessage, SipRequest } from '../../../src/sip/message/message.js';
import { parseUri } from '../../../src/sip/uri.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import type { MessageSource } from '../../../src/sip/transport/types.js';
import { selfSignedCertificate } from './helpers.js';

const certificate = await selfSignedCertificate();

describe('TLS transport', () => {
  const server = new TransportLayer({ tls: { server: certificate } });
  const client = new TransportLayer({ tls: { client: { ca: certificate.cert } } });
  let port = 0;

  before(async () => {
    port = (await server.listen('tls', '127.0.0.1', 0)).port;
  });
  after(async () => {
    await Promise.all([client.close(), server.close()]);
  });

  test('round trip: the response comes back on the connection the client opened', async () => {
    const message = new SipRequest({ method: 'MESSAGE', uri: parseUri('sip:bob@127.0.0.1')! });
    for (const [name, value] of [
      ['Via', 'SIP/2.0/TLS client.invalid;rport;branch=z9hG4bKtls1'],
      ['Max-Forwards', '70'],
      ['From', '<sips:alice@127.0.0.1>;tag=a'],
      ['To', '<sips:bob@127.0.0.1>'],
      ['Call-ID', 'tls-1'],
      ['CSeq', '1 MESSAGE'],
    ] as const)
      message.headers.add(name, value);
    message.body = Buffer.from('secret');

    const arrived = once(server, 'message') as Promise<[SipMessage, MessageSource]>;
    await client.send(message, { transport: 'tls', host: '127.0.0.1', port });
    const [request, source] = await arrived;
    assert.equal(source.transport, 'tls');
    assert.equal(request.body.toString(), 'secret');
    const via = getTopVia(request.headers);
    assert.equal(via?.received, '127.0.0.1');
    assert.equal(via.rport, source.port);

    const answered = once(client, 'message') as Promise<[SipMessage, MessageSource]>;
    await server.sendResponse(createResponse(request, 200), source);
    const [response, responseSource] = await answered;
    assert.equal(response.kind === 'response' ? response.status : 0, 200);
    assert.equal(responseSource.port, port);
    assert.equal(client.connections.size, 1);
    assert.equal(server.connections.size, 1);
  });

  test('an untrusted peer fails the handshake without affecting the server', async () => {
    const stranger = new TransportLayer({ tls: { client: {} } });
    const message = new SipRequest({ method: 'OPTIONS', uri: parseUri('sip:bob@127.0.0.1')! });
    await assert.rejects(stranger.send(message, { transport: 'tls', host: '127.0.0.1', port }), {
      name: 'TransportError',
    });
    await stranger.close();
    assert.equal(server.connections.size, 1);
  });
});

describe('TLS: a request to a client that connected', () => {
  test('goes over the connection the client opened (found by its address), whatever server name it names', async () => {
    const server = new TransportLayer({ tls: { server: certificate } });
    const client = new TransportLayer({ tls: { client: { ca: certificate.cert } } });
    const port = (await server.listen('tls', '127.0.0.1', 0)).port;
    const message = (callId: string): SipRequest => {
      const request = new SipRequest({ method: 'OPTIONS', uri: parseUri('sips:alice@example.test')! });
      for (const [name, value] of [
        ['Via', `SIP/2.0/TLS client.invalid;rport;branch=z9hG4bK${callId}`],
        ['Max-Forwards', '70'],
        ['From', '<sips:bob@example.test>;tag=b'],
        ['To', '<sips:alice@example.test>'],
        ['Call-ID', callId],
        ['CSeq', '1 OPTIONS'],
      ] as const)
        request.headers.add(name, value);
      return request;
    };
    try {
      const arrived = once(server, 'message') as Promise<[SipMessage, MessageSource]>;
      await client.send(message('in-1'), { transport: 'tls', host: '127.0.0.1', port });
      const [, source] = await arrived;
      const back = once(client, 'message') as Promise<[SipMessage, MessageSource]>;
      // No connection id: the client's address (as an alias or a Via would give it), and a name to check.
      await server.send(message('out-1'), {
        transport: 'tls',
        host: source.host,
        port: source.port,
        serverName: 'alice.example.test',
      });
      const [request] = await back;
      assert.equal(request.headers.get('Call-ID'), 'out-1');
      assert.equal(server.connections.size, 1);
      assert.equal(client.connections.size, 1);
    } finally {
      await Promise.all([client.close(), server.close()]);
    }
  });
});
