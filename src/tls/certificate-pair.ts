/**
 * An operator's certificate and key, read and checked before a listener uses them, so that a wrong file stops
 * the start (or is refused on SIGHUP) with the setting and the file named, instead of a handshake failing later
 * for every client. Nothing here throws: the answer is the pair, or one problem in words.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';

/** A certificate file with its chain is a few KiB; a larger one is the wrong file. */
const MAX_PEM_BYTES = 1024 * 1024;
/** A certificate issued a moment ago may start a little ahead of this machine's clock. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export interface PairFiles {
  readonly certificate: string;
  readonly key: string;
  /** How the operator names each file in messages, e.g. `[General] tls_certificate`. */
  readonly certificateSetting: string;
  readonly keySetting: string;
}

export interface CertificatePair {
  /** The certificate, then its chain: the file's PEM blocks, one a line (OpenSSL wants each on its own line). */
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly files: PairFiles;
  /** The DNS names of the certificate (subjectAltName), for SNI. */
  readonly names: readonly string[];
  readonly validTo: Date;
}

export type PairRead =
  | { readonly ok: true; readonly value: CertificatePair; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/** Reads both files and checks them: PEM, the key matches, the chain is in order; expiry and a missing chain warn. */
export async function readCertificatePair(files: PairFiles, now: Date): Promise<PairRead> {
  const where = `${files.certificateSetting} = ${files.certificate}`;
  const keyWhere = `${files.keySetting} = ${files.key}`;
  const cert = await readBounded(files.certificate);
  if (!cert.ok) return { ok: false, problem: `${where}: ${cert.problem}` };
  const key = await readBounded(files.key);
  if (!key.ok) return { ok: false, problem: `${keyWhere}: ${key.problem}` };
  const blocks = cert.value.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  const chain = parseChain(blocks);
  if (!chain.ok) return { ok: false, problem: `${where}: ${chain.problem}` };
  const privateKey = parseKey(key.value);
  if (privateKey === undefined)
    return { ok: false, problem: `${keyWhere}: not a PEM private key (an encrypted key cannot be used)` };
  const [leaf] = chain.value;
  if (leaf === undefined) return { ok: false, problem: `${where}: holds no PEM certificate` };
  if (!leaf.checkPrivateKey(privateKey))
    return { ok: false, problem: `${keyWhere}: this key does not belong to the certificate in ${where}` };
  for (let index = 0; index + 1 < chain.value.length; index++) {
    const issuer = chain.value[index + 1];
    if (issuer !== undefined && !issuedBy(chain.value[index] ?? leaf, issuer))
      return {
        ok: false,
        problem: `${where}: certificate ${String(index + 2)} did not issue certificate ${String(index + 1)}: the file must hold the certificate, then its chain in order (fullchain.pem)`,
      };
  }
  const warnings: string[] = [];
  const validTo = new Date(leaf.validTo);
  if (validTo.getTime() <= now.getTime())
    warnings.push(`${where}: the certificate expired on ${validTo.toISOString()}; clients will refuse it`);
  else if (new Date(leaf.validFrom).getTime() > now.getTime() + CLOCK_SKEW_MS)
    warnings.push(`${where}: the certificate is not valid before ${new Date(leaf.validFrom).toISOString()}`);
  const last = chain.value[chain.value.length - 1] ?? leaf;
  if (!issuedBy(last, last) && !knownRoots().some((root) => issuedBy(last, root)))
    warnings.push(
      chain.value.length === 1
        ? `${where}: holds no chain, and its issuer (${oneLine(leaf.issuer)}) is not a root this system knows: clients without that issuer will refuse it (use fullchain.pem)`
        : `${where}: the chain ends with ${oneLine(last.subject)}, whose issuer is not a root this system knows`,
    );
  return {
    ok: true,
    value: {
      cert: Buffer.from(`${blocks.join('\n')}\n`, 'latin1'),
      key: key.value,
      files,
      names: dnsNames(leaf),
      validTo,
    },
    warnings,
  };
}

type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

async function readBounded(path: string): Promise<Read<Buffer>> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_PEM_BYTES)
      return { ok: false, problem: `larger than ${String(MAX_PEM_BYTES)} bytes: not a PEM file` };
    return { ok: true, value: bytes };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied (missive runs as a user that cannot read it)'
          : code === 'EISDIR'
            ? 'a directory, not a file'
            : (error as Error).message;
    return { ok: false, problem: `cannot read it: ${reason}` };
  }
}

function parseChain(blocks: readonly string[]): Read<X509Certificate[]> {
  if (blocks.length === 0)
    return { ok: false, problem: 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      return {
        ok: false,
        problem: `certificate ${String(index + 1)} in the file is not a valid certificate`,
      };
    }
  }
  return { ok: true, value: chain };
}

function parseKey(pem: Buffer): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/**
 * The issuer's name matches and its key signed the certificate (not X509Certificate.checkIssued, which also
 * asks for the keyCertSign usage that a self-signed server certificate does not have).
 */
function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.issuer === issuer.subject && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Node's bundled roots (Mozilla's), parsed on each check: a start or a reload, never a hot path. */
function knownRoots(): X509Certificate[] {
  const roots: X509Certificate[] = [];
  for (const pem of rootCertificates) {
    try {
      roots.push(new X509Certificate(pem));
    } catch {
      // A root node cannot parse is a root no client here trusts either.
    }
  }
  return roots;
}

function dnsNames(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
