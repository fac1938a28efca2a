/**
 * A TLS target located by DNS is an address; its certificate is checked against `serverName` (the SIP
 * domain, RFC 5922), which also goes out as SNI. A certificate for another name is refused, and a connection
 * checked for one name does not carry a request for another name at the same address.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls';
import { SipRequest } from '../../../src/sip/message/message.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { parseUri } from '../../../src/sip/uri.js';
import { createSelfSignedCertificate } from '../../../src/tls/self-signed.js';
import { eventually } from '../../support/wait.js';

const pems = await createSelfSignedCertificate({
  commonName: 'sip.example.test',
  dnsNames: ['example.test'],
  days: 1,
  keyType: 'ec',
});
const certificate = { key: Buffer.from(pems.key), cert: Buffer.from(pems.cert) };

function request(domain = 'example.test', callId = 'sni-1'): SipRequest {
  const options = new SipRequest({ method: 'OPTIONS', uri: parseUri(`sips:${domain}`)! });
  for (const [name, value] of [
    ['Via', `SIP/2.0/TLS client.invalid;rport;branch=z9hG4bK${callId}`],
    ['Max-Forwards', '70'],
    ['From', '<sips:alice@example.test>;tag=a'],
    ['To', `<sips:${domain}>`],
    ['Call-ID', callId],
    ['CSeq', '1 OPTIONS'],
  ] as const)
    options.headers.add(name, value);
  return options;
}

/** Waits for the server side of the handshake to have caught up; fails when it does not. */
function until(done: () => boolean): Promise<void> {
  return eventually(done, 'the TLS server to have received it');
}

describe('TLS server name of a located target', () => {
  /** A bare TLS server that records the SNI each handshake carried and the bytes that came after it. */
  let server: Server;
  let port = 0;
  const sni: (string | false)[] = [];
  const received: string[] = [];

  before(async () => {
    server = createServer(certificate, (socket: TLSSocket) => {
      sni.push(socket.servername ?? false);
      socket.on('data', (chunk: Buffer) => received.push(chunk.toString()));
      socket.on('error', () => undefined);
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  test('the certificate is checked against serverName, sent as SNI, while the connection goes to the address', async () => {
    const client = new TransportLayer({ tls: { client: { ca: certificate.cert } } });
    await client.send(request(), { transport: 'tls', host: '127.0.0.1', port, serverName: 'example.test' });
    await until(() => received.join('').includes('OPTIONS sips:example.test'));
    assert.deepEqual(sni, ['example.test']);
    assert.match(received.join(''), /^OPTIONS sips:example\.test SIP\/2\.0/);
    await client.close();
  });

  test('without it the address is checked, and a name the certificate does not carry is refused', async () => {
    const client = new TransportLayer({ tls: { client: { ca: certificate.cert } } });
    await assert.rejects(client.send(request(), { transport: 'tls', host: '127.0.0.1', port }), {
      name: 'TransportError',
    });
    await assert.rejects(
      client.send(request(), { transport: 'tls', host: '127.0.0.1', port, serverName: 'other.test' }),
      { name: 'TransportError' },
    );
    await client.close();
  });
});

describe('TLS connection reuse and server names', () => {
  const names = ['a.example.test', 'b.example.test'];
  /** One TLS listener for both names: the certificate for the SNI each handshake carries. */
  let server: Server;
  let port = 0;
  let certs: Buffer[] = [];
  /** Per connection accepted: its SNI and what came over it. */
  const accepted: { sni: string | false; data: string[] }[] = [];

  before(async () => {
    const contexts = new Map<string, ReturnType<typeof createSecureContext>>();
    for (const name of names) {
      const pem = await createSelfSignedCertificate({
        commonName: name,
        dnsNames: [name],
        days: 1,
        keyType: 'ec',
      });
      certs.push(Buffer.from(pem.cert));
      contexts.set(name, createSecureContext({ key: pem.key, cert: pem.cert }));
    }
    const fallback = contexts.get(names[0] ?? '');
    server = createServer(
      {
        SNICallback: (name, done) => {
          done(null, contexts.get(name) ?? fallback);
        },
      },
      (socket: TLSSocket) => {
        const entry = { sni: socket.servername ?? false, data: [] as string[] };
        accepted.push(entry);
        socket.on('data', (chunk: Buffer) => entry.data.push(chunk.toString()));
        socket.on('error', () => undefined);
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    certs = [];
  });

  test('a request for name B after one for name A opens a connection of its own, with B as SNI', async () => {
    const client = new TransportLayer({ tls: { client: { ca: certs } } });
    const to = (serverName: string) => ({ transport: 'tls' as const, host: '127.0.0.1', port, serverName });
    const arrived = (index: number, callId: string) => () =>
      accepted[index]?.data.join('').includes(`Call-ID: ${callId}`) === true;

    await client.send(request('a.example.test', 'reuse-a1'), to('a.example.test'));
    await until(arrived(0, 'reuse-a1'));
    await client.send(request('b.example.test', 'reuse-b1'), to('b.example.test'));
    await until(arrived(1, 'reuse-b1'));
    assert.deepEqual(
      accepted.map((entry) => entry.sni),
      names,
      'the request for b did not go over the connection checked for a',
    );
    assert.ok(!accepted[0]?.data.join('').includes('reuse-b1'));

    // Each name keeps its own connection.
    await client.send(request('a.example.test', 'reuse-a2'), to('a.example.test'));
    await client.send(request('b.example.test', 'reuse-b2'), to('b.example.test'));
    await until(() => arrived(0, 'reuse-a2')() && arrived(1, 'reuse-b2')());
    assert.ok(arrived(0, 'reuse-a2')() && arrived(1, 'reuse-b2')());
    assert.equal(accepted.length, 2);
    assert.equal(client.connections.size, 2);
    await client.close();
  });
});
