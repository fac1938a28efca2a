/**
 * `missive relay-check` against a TLS server with a self-signed certificate (what `missive serve` makes by
 * default): the failure says that the certificate did not verify and that --insecure checks anyway.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:tls';
import { createSelfSignedCertificate } from '../../src/tls/self-signed.js';
import { runTypeScript } from '../store/processes.js';

let server: Server;
let port: number;

before(async () => {
  const { cert, key } = await createSelfSignedCertificate({
    commonName: 'localhost',
    dnsNames: ['localhost'],
    keyType: 'ec',
  });
  server = createServer({ cert, key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.close();
});

test('a self-signed certificate: the failure names --insecure', async () => {
  const result = await runTypeScript(
    'src/cli/main.ts',
    [
      'relay-check',
      `msrps://localhost:${String(port)};tcp`,
      'test',
      'pw',
      '--connect',
      `127.0.0.1:${String(port)}`,
    ],
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^AUTH failed: .*self[- ]signed/m);
  assert.match(result.stderr, /did not verify.*\n.*add --insecure/);
});

test('with --insecure, a failure for another reason does not name it', async () => {
  // The server closes at once: the check fails after the handshake, for a reason that is not the certificate.
  const result = await runTypeScript(
    'src/cli/main.ts',
    [
      'relay-check',
      `msrps://localhost:${String(port)};tcp`,
      'test',
      'pw',
      '--connect',
      `127.0.0.1:${String(port)}`,
      '--insecure',
    ],
    { timeoutMs: 30_000 },
  );
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^AUTH failed: /m);
  assert.doesNotMatch(result.stderr, /--insecure/);
});
