/**
 * A self-signed certificate for zero-configuration starts (`npm start`): made once, kept in the data
 * directory, reused while it is valid.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificateFiles {
  readonly certificate: string;
  readonly key: string;
}

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
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: hostname },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  await writeFile(files.key, pems.private, { mode: 0o600 });
  await writeFile(files.certificate, pems.cert, { mode: 0o644 });
  return files;
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
