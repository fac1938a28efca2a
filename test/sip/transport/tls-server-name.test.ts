/**
 * A TLS target located by DNS is an address; its certificate is checked against `serverName` (the SIP
 * domain, RFC 5922), which also goes out as SNI. A certificate for another name is refused.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { SipRequest } from '../../../src/sip/message/message.js';
import { TransportLayer } from '../../../src/sip/transport/transport-layer.js';
import { parseUri } from '../../../src/sip/uri.js';
import { createSelfSignedCertificate } from '../../../src/tls/self-signed.js';

const pems = await createSelfSignedCertificate({
  commonName: 'sip.example.test',
  dnsNames: ['example.test'],
  days: 1,
  keyType: 'ec',
});
const certificate = { key: Buffer.from(pems.key), cert: Buffer.from(pems.cert) };

function request(): SipRequest {
  const options = new SipRequest({ method: 'OPTIONS', uri: parseUri('sips:example.test')! });
  for (const [name, value] of [
    ['Via', 'SIP/2.0/TLS client.invalid;rport;branch=z9hG4bKsni1'],
    ['Max-Forwards', '70'],
    ['From', '<sips:alice@example.test>;tag=a'],
    ['To', '<sips:example.test>'],
    ['Call-ID', 'sni-1'],
    ['CSeq', '1 OPTIONS'],
  ] as const)
    options.headers.add(name, value);
  return options;
}

/** Waits (up to a second) for the server side of the handshake to have caught up. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
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
