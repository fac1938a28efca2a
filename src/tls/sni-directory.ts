/**
 * The SNI directory: one `NAME.crt` (certificate and chain) and `NAME.key` pair per certificate, each serving
 * the DNS names its certificate holds. A directory rather than a list, so that an ACME client's deploy hook can
 * drop a renewed or a new domain's pair in and send SIGHUP.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CertificatePair, readCertificatePair } from './certificate-pair.js';

/** More pairs than any operator keeps by hand: a bound on what one reload reads. */
const MAX_PAIRS = 1000;

export type SniRead =
  | { readonly ok: true; readonly value: readonly CertificatePair[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

export async function readSniDirectory(directory: string, setting: string, now: Date): Promise<SniRead> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    return {
      ok: false,
      problems: [`${setting} = ${directory}: cannot read it (${(error as Error).message})`],
    };
  }
  const names = entries.filter((entry) => entry.endsWith('.crt')).sort();
  if (names.length === 0)
    return { ok: false, problems: [`${setting} = ${directory}: holds no NAME.crt and NAME.key pair`] };
  if (names.length > MAX_PAIRS)
    return {
      ok: false,
      problems: [`${setting} = ${directory}: more than ${String(MAX_PAIRS)} certificates`],
    };
  const pairs: CertificatePair[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const base = name.slice(0, -'.crt'.length);
    const read = await readCertificatePair(
      {
        certificate: join(directory, name),
        key: join(directory, `${base}.key`),
        certificateSetting: `${setting} (certificate)`,
        keySetting: `${setting} (key)`,
      },
      now,
    );
    if (!read.ok) problems.push(read.problem);
    else if (read.value.names.length === 0)
      problems.push(
        `${setting}: ${join(directory, name)} names no DNS host (subjectAltName): no client would get it`,
      );
    else {
      pairs.push(read.value);
      warnings.push(...read.warnings);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: pairs, warnings };
}
