// A throwaway self-signed certificate for TLS mode, made once per test process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedCertificate } from '../../../src/tls/self-signed.js';

export interface Certs {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

let cached: Promise<Certs> | undefined;

export function getCerts(): Promise<Certs> {
  cached ??= makeCerts();
  return cached;
}

async function makeCerts(): Promise<Certs> {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-certs-'));
  process.once('exit', () => {
    rmSync(dir, { recursive: true, force: true });
  });
  // SAN localhost lets the relay use `hostname = localhost` and reach itself (test 38).
  const { files, pems } = await writeSelfSignedCertificate(dir, 'relay', {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    days: 2,
  });
  return {
    certPath: files.certificate,
    keyPath: files.key,
    cert: Buffer.from(pems.cert),
    key: Buffer.from(pems.key),
  };
}
