/**
 * Self-signed certificates, made in-process (no openssl needed): for zero-configuration starts
 * (`npm start`, made once and kept in the data directory), and for tests and benchmarks.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificateFiles {
  readonly certificate: string;
  readonly key: string;
}

export interface SelfSignedOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days?: number;
  /** RSA 2048 by default; EC means ECDSA P-256. */
  readonly keyType?: 'rsa' | 'ec';
}

export interface SelfSigned {
  /** PEM. */
  readonly cert: string;
  readonly key: string;
}

export async function createSelfSignedCertificate(options: SelfSignedOptions): Promise<SelfSigned> {
  const days = options.days ?? 365;
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2 as const, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7 as const, ip })),
  ];
  const pems = await generate([{ name: 'commonName', value: options.commonName }], {
    ...(options.keyType === 'ec' ? { keyType: 'ec' as const, curve: 'P-256' as const } : { keySize: 2048 }),
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + days * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      ...(altNames.length === 0 ? [] : [{ name: 'subjectAltName' as const, altNames }]),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes `<name>.crt` and `<name>.key` (mode 600) into `directory`; returns their paths and contents. */
export async function writeSelfSignedCertificate(
  directory: string,
  name: string,
  options: SelfSignedOptions,
): Promise<{ readonly files: CertificateFiles; readonly pems: SelfSigned }> {
  const pems = await createSelfSignedCertificate(options);
  const files = { certificate: join(directory, `${name}.crt`), key: join(directory, `${name}.key`) };
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // Each file whole or not at all: a reader (another process, a TLS client's CA) never sees half of one.
  await writeWhole(files.key, pems.key, 0o600);
  await writeWhole(files.certificate, pems.cert, 0o644);
  return { files, pems };
}

async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const partial = `${path}.partial`;
  await writeFile(partial, text, { mode });
  await rename(partial, path);
}

/** The `npm start` certificate for `hostname` (and 127.0.0.1), reused while valid for another week. */
export async function ensureSelfSignedCertificate(
  directory: string,
  hostname: string,
): Promise<CertificateFiles> {
  const files = { certificate: join(directory, 'self-signed.crt'), key: join(directory, 'self-signed.key') };
  if (
    existsSync(files.certificate) &&
    existsSync(files.key) &&
    (await stillValid(files.certificate, hostname))
  ) {
    return files;
  }
  const { files: written } = await writeSelfSignedCertificate(directory, 'self-signed', {
    commonName: hostname,
    dnsNames: [hostname],
    ipAddresses: ['127.0.0.1'],
  });
  return written;
}

async function stillValid(path: string, hostname: string): Promise<boolean> {
  try {
    const certificate = new X509Certificate(await readFile(path));
    const inAWeek = Date.now() + 7 * 24 * 3600 * 1000;
    return new Date(certificate.validTo).getTime() > inAWeek && certificate.checkHost(hostname) !== undefined;
  } catch {
    return false;
  }
}
