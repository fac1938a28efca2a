/**
 * Which certificate each TLS listener of `missive serve` presents: its own (`[SIP] sip_tls_certificate`…), else
 * the shared one (`[General] tls_certificate`), else the self-signed one made in the data directory (the
 * zero-configuration default). The SNI directory's certificates go to every listener. Every file is read and
 * checked here, at the start and again on SIGHUP, so that a wrong one is named before any listener uses it.
 */
import { type CertificatePair, type PairFiles, readCertificatePair } from '../tls/certificate-pair.js';
import type { CertificateFiles } from '../tls/self-signed.js';
import { nameMatches } from '../tls/certificates.js';
import { readSniDirectory } from '../tls/sni-directory.js';

/** A listener's two settings: both or neither. */
export interface TlsFileSettings {
  readonly certificate?: string | undefined;
  readonly key?: string | undefined;
  /** The setting's name as messages give it, e.g. `[SIP] sip_tls_certificate`. */
  readonly certificateSetting: string;
  readonly keySetting: string;
}

export interface ServerTlsSettings {
  readonly shared: TlsFileSettings;
  readonly sip: TlsFileSettings;
  readonly web: TlsFileSettings;
  readonly relay: TlsFileSettings;
  readonly sniDir?: string | undefined;
  readonly sniSetting: string;
}

export interface ListenerCertificate {
  readonly pair: CertificatePair;
  /** The generated one: the banner says so. */
  readonly selfSigned: boolean;
}

export interface ServerCertificateSet {
  readonly sip: ListenerCertificate;
  readonly web: ListenerCertificate;
  readonly relay: ListenerCertificate;
  readonly sni: readonly CertificatePair[];
  readonly warnings: readonly string[];
}

export type CertificatesLoad =
  | { readonly ok: true; readonly value: ServerCertificateSet }
  | { readonly ok: false; readonly problems: readonly string[] };

/** A certificate problem that stops the start; `message` lists every one, one a line. */
export class CertificateError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`cannot use the TLS certificates:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'CertificateError';
    this.problems = problems;
  }
}

/**
 * Reads and checks every listener's certificate. The relay's must name `relayHostname` (relay spec: the host
 * name in its Use-Path URIs is one the certificate holds), so a certificate for another name is refused here,
 * naming its setting, rather than by the relay.
 */
export async function loadCertificates(
  settings: ServerTlsSettings,
  selfSigned: () => Promise<CertificateFiles>,
  relayHostname: string,
  now: Date,
): Promise<CertificatesLoad> {
  const problems: string[] = [];
  const warnings: string[] = [];
  // One read per distinct pair of files: the shared pair is checked once, not once per listener.
  const reads = new Map<string, Promise<ListenerCertificate | undefined>>();
  // Made once for every listener that needs it: three makers at once wrote their keys and certificates over
  // each other into the same two files (a key that did not match, or half a file).
  let generating: Promise<CertificateFiles> | undefined;
  const generated = (): Promise<CertificateFiles> => (generating ??= selfSigned());
  const read = (files: PairFiles, generated: boolean): Promise<ListenerCertificate | undefined> => {
    const id = `${files.certificate}\0${files.key}`;
    let pending = reads.get(id);
    if (pending === undefined) {
      pending = readCertificatePair(files, now).then((result) => {
        if (!result.ok) {
          problems.push(result.problem);
          return undefined;
        }
        // The generated certificate is self-signed on purpose: the banner says so, not a warning.
        if (!generated) warnings.push(...result.warnings);
        return { pair: result.value, selfSigned: generated };
      });
      reads.set(id, pending);
    }
    return pending;
  };
  const chosen = (own: TlsFileSettings): Promise<ListenerCertificate | undefined> => {
    const files = configured(own, problems) ?? configured(settings.shared, problems);
    if (files !== undefined) return read(files, false);
    return generated().then((files) =>
      read(
        {
          ...files,
          certificateSetting: 'the self-signed certificate',
          keySetting: 'the self-signed key',
        },
        true,
      ),
    );
  };
  const [sip, web, relay] = await Promise.all([
    chosen(settings.sip),
    chosen(settings.web),
    chosen(settings.relay),
  ]);
  let sni: readonly CertificatePair[] = [];
  if (settings.sniDir !== undefined) {
    const directory = await readSniDirectory(settings.sniDir, settings.sniSetting, now);
    if (directory.ok) {
      sni = directory.value;
      warnings.push(...directory.warnings);
    } else problems.push(...directory.problems);
  }
  if (relay !== undefined && !relay.pair.names.some((name) => nameMatches(name, relayHostname))) {
    const { files } = relay.pair;
    problems.push(
      `${files.certificateSetting} = ${files.certificate}: names ${relay.pair.names.join(', ') || 'no DNS host'} but not ${relayHostname}, the MSRP relay's host name (the first [General] domain); give the relay one that does with [Relay] msrp_tls_certificate`,
    );
  }
  if (problems.length > 0 || sip === undefined || web === undefined || relay === undefined)
    return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, value: { sip, web, relay, sni, warnings: [...new Set(warnings)] } };
}

/** The files of a listener's settings; undefined when neither is set (a half-set pair is a problem). */
function configured(settings: TlsFileSettings, problems: string[]): PairFiles | undefined {
  const { certificate, key } = settings;
  if (certificate !== undefined && key !== undefined)
    return {
      certificate,
      key,
      certificateSetting: settings.certificateSetting,
      keySetting: settings.keySetting,
    };
  if (certificate !== undefined)
    problems.push(`${settings.certificateSetting} is set but ${settings.keySetting} is not: give both`);
  if (key !== undefined)
    problems.push(`${settings.keySetting} is set but ${settings.certificateSetting} is not: give both`);
  return undefined;
}

/**
 * The configured files alone, checked as the start would check them (`missive config check`): nothing is
 * generated, and a listener without its own or the shared certificate is not looked at.
 */
export async function checkCertificateFiles(
  settings: ServerTlsSettings,
  now: Date,
): Promise<{ readonly problems: readonly string[]; readonly warnings: readonly string[] }> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const pairs = new Map<string, PairFiles>();
  for (const listener of [settings.shared, settings.sip, settings.web, settings.relay]) {
    const files = configured(listener, problems);
    if (files !== undefined) pairs.set(`${files.certificate}\0${files.key}`, files);
  }
  for (const files of pairs.values()) {
    const read = await readCertificatePair(files, now);
    if (read.ok) warnings.push(...read.warnings);
    else problems.push(read.problem);
  }
  if (settings.sniDir !== undefined) {
    const directory = await readSniDirectory(settings.sniDir, settings.sniSetting, now);
    if (directory.ok) warnings.push(...directory.warnings);
    else problems.push(...directory.problems);
  }
  return { problems, warnings };
}
