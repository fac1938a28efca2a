/**
 * A certificate authority of the test's own, made with selfsigned: server certificates it issues verify in
 * a TLS client given only its certificate as `ca`, without rejectUnauthorized=false.
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 3600 * 1000;

export async function createTestCa(name = 'missive test CA'): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 30 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export interface IssueOptions {
  readonly names: readonly string[];
  /** Default: valid from an hour ago for 30 days. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A server certificate for `names` (DNS), and 127.0.0.1, signed by `ca`. */
export async function issueCertificate(ca: Pem, options: IssueOptions): Promise<Pem> {
  const [first = 'localhost'] = options.names;
  const pems = await generate([{ name: 'commonName', value: first }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: options.notBefore ?? new Date(Date.now() - 3600 * 1000),
    notAfterDate: options.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...options.names.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The SHA-256 fingerprint a TLS client sees (peer certificate's fingerprint256). */
export function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}
