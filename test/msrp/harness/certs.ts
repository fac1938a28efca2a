// A throwaway self-signed certificate for TLS mode, made once per test process with the openssl CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  // SAN localhost lets the relay use `hostname = localhost` and reach itself (test 38).
  await promisify(execFile)(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { timeout: 30_000 },
  );
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
