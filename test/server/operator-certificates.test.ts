/**
 * `missive serve` with the operator's certificates (issued by a CA made in the test): every TLS listener (SIP
 * TLS, HTTPS and wss on the web port, the MSRP relay) verifies in a client given only that CA and the server
 * name, SNI picks the directory's certificate for its name, SIGHUP swaps a renewed certificate while a TLS
 * connection made before it keeps working, and a bad file on SIGHUP leaves the running certificate in place.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { MissiveProcess } from '../support/missive-process.js';
import { createTestCa, fingerprint, issueCertificate, type Pem } from '../support/test-ca.js';
import { eventually } from '../support/wait.js';

const DOMAIN = 'missive.test';
const OTHER = 'other.test';

/** A verified TLS connection (no rejectUnauthorized=false): rejects when the certificate does not verify. */
function verifiedTls(port: number, servername: string, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca }, () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function peerFingerprint(port: number, servername: string, ca: string): Promise<string> {
  const socket = await verifiedTls(port, servername, ca);
  const seen = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return seen;
}

/** An OPTIONS over an open SIP TLS connection, and the status line of its answer. */
function optionsOver(socket: TLSSocket, cseq: number): Promise<string> {
  const request = [
    `OPTIONS sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:5099;branch=z9hG4bK-ops-${String(cseq)}-${String(Date.now())}`,
    'Max-Forwards: 70',
    `From: <sip:probe@${DOMAIN}>;tag=ops${String(cseq)}`,
    `To: <sip:${DOMAIN}>`,
    `Call-ID: ops-${String(cseq)}@test`,
    `CSeq: ${String(cseq)} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end >= 0) {
        socket.off('data', onData);
        resolve(text.slice(0, end));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request);
  });
}

describe('operator certificates in missive serve', () => {
  let dir: string;
  let ca: Pem;
  let first: Pem;
  let missive: MissiveProcess;
  const certificate = (): string => join(dir, 'fullchain.pem');
  const key = (): string => join(dir, 'privkey.pem');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'missive-certs-'));
    ca = await createTestCa();
    first = await issueCertificate(ca, { names: [DOMAIN] });
    const other = await issueCertificate(ca, { names: [OTHER] });
    await writeFile(certificate(), `${first.cert}\n${ca.cert}`);
    await writeFile(key(), first.key, { mode: 0o600 });
    await mkdir(join(dir, 'sni'));
    await writeFile(join(dir, 'sni', 'other.crt'), `${other.cert}\n${ca.cert}`);
    await writeFile(join(dir, 'sni', 'other.key'), other.key, { mode: 0o600 });
    // The files through a configuration file: relative paths are relative to it.
    await writeFile(
      join(dir, 'missive.ini'),
      '[General]\ntls_certificate = fullchain.pem\ntls_private_key = privkey.pem\ntls_sni_dir = sni\n',
    );
    missive = await MissiveProcess.start({
      domain: DOMAIN,
      users: [],
      args: ['--config', join(dir, 'missive.ini'), '--web-tls'],
    });
  });

  after(async () => {
    await missive.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves SIP TLS, HTTPS and the MSRP relay with the operator certificate, verified with its CA', async () => {
    const expected = fingerprint(first.cert);
    assert.equal(await peerFingerprint(missive.ports.sips, DOMAIN, ca.cert), expected, 'SIP TLS');
    assert.equal(await peerFingerprint(missive.ports.ws, DOMAIN, ca.cert), expected, 'HTTPS and wss');
    assert.equal(await peerFingerprint(missive.ports.msrp, DOMAIN, ca.cert), expected, 'the MSRP relay');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpsGet(
        { host: '127.0.0.1', port: missive.ports.ws, path: '/', servername: DOMAIN, ca: ca.cert },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      ).once('error', reject);
    });
    assert.equal(status, 200, 'an HTTPS request verified with the CA is answered');
    assert.match(
      missive.output,
      new RegExp(`TLS \\(SIP TLS, HTTPS and wss, the MSRP relay\\): certificate ${certificate()}`),
    );
  });

  it('picks the SNI directory certificate for its server name, on every listener', async () => {
    const other = await peerFingerprint(missive.ports.sips, OTHER, ca.cert);
    assert.notEqual(other, fingerprint(first.cert));
    assert.equal(await peerFingerprint(missive.ports.ws, OTHER, ca.cert), other);
    assert.equal(await peerFingerprint(missive.ports.msrp, OTHER, ca.cert), other);
  });

  it('swaps a renewed certificate on SIGHUP; a connection opened before keeps working', async () => {
    const open = await verifiedTls(missive.ports.sips, DOMAIN, ca.cert);
    assert.match(await optionsOver(open, 1), /^SIP\/2\.0 \d{3} /);
    const renewed = await issueCertificate(ca, { names: [DOMAIN] });
    await writeFile(certificate(), `${renewed.cert}\n${ca.cert}`);
    await writeFile(key(), renewed.key);
    const reloads = (missive.output.match(/configuration reloaded/g) ?? []).length;
    missive.signal('SIGHUP');
    await eventually(
      () => (missive.output.match(/configuration reloaded/g) ?? []).length === reloads + 1,
      'the reload logged',
    );
    const expected = fingerprint(renewed.cert);
    assert.equal(await peerFingerprint(missive.ports.sips, DOMAIN, ca.cert), expected, 'SIP TLS');
    assert.equal(await peerFingerprint(missive.ports.ws, DOMAIN, ca.cert), expected, 'HTTPS and wss');
    assert.equal(await peerFingerprint(missive.ports.msrp, DOMAIN, ca.cert), expected, 'the MSRP relay');
    assert.equal(open.getPeerCertificate().fingerprint256, fingerprint(first.cert));
    assert.match(await optionsOver(open, 2), /^SIP\/2\.0 \d{3} /, 'the old connection is still served');
    open.destroy();
  });

  it('refuses a SIGHUP whose key does not match, and keeps the running certificate', async () => {
    const running = await peerFingerprint(missive.ports.sips, DOMAIN, ca.cert);
    const stranger = await issueCertificate(ca, { names: [DOMAIN] });
    await writeFile(key(), stranger.key);
    const refusals = (missive.output.match(/the new configuration is refused/g) ?? []).length;
    missive.signal('SIGHUP');
    await eventually(
      () => (missive.output.match(/the new configuration is refused/g) ?? []).length === refusals + 1,
      'the reload logged',
    );
    assert.match(
      missive.output,
      /tls_private_key = .*privkey\.pem: this key does not belong to the certificate/,
    );
    assert.equal(await peerFingerprint(missive.ports.sips, DOMAIN, ca.cert), running);
    assert.equal(await peerFingerprint(missive.ports.msrp, DOMAIN, ca.cert), running);
  });

  it('names a changed setting that needs a restart, and applies the log level', async () => {
    await writeFile(
      join(dir, 'missive.ini'),
      '[General]\ntls_certificate = fullchain.pem\ntls_private_key = privkey.pem\ntls_sni_dir = sni\nlog_level = debug\n[Web]\nmax_page_bytes = 100000\n',
    );
    // The key of the previous test back with its certificate.
    const current = await issueCertificate(ca, { names: [DOMAIN] });
    await writeFile(certificate(), `${current.cert}\n${ca.cert}`);
    await writeFile(key(), current.key);
    missive.signal('SIGHUP');
    await eventually(
      () =>
        /"settings":\["\[Web\] max_page_bytes"\],"msg":"SIGHUP: these changed settings need a restart/.test(
          missive.output,
        ),
      'the restart warning',
    );
    assert.match(missive.output, /"changed":\["\[General\] log_level"\]/);
  });
});
