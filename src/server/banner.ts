/** What `missive serve` prints once everything listens: where each part is, and the test account if made. */
import type { ServerCertificateSet } from './certificates.js';
import type { AdminAddress } from './parts.js';

export const TEST_USER = 'test';

export interface BannerFacts {
  readonly domain: string;
  readonly points: readonly { transport: string; host: string; port: number }[];
  readonly webUrl: string | undefined;
  /** The web chat is served at webUrl/chat/. */
  readonly webChat?: boolean | undefined;
  readonly admin: AdminAddress | undefined;
  readonly msrpPort: number;
  /** The relay's certificate file, and whether it is the generated one. */
  readonly certificates: CertificateFacts;
  readonly password: string | undefined;
}

export function banner(facts: BannerFacts): string {
  const { domain, points, webUrl, admin, msrpPort, certificates, password } = facts;
  const lines = ['', `missive is serving SIP domain ${domain}:`];
  for (const point of points)
    lines.push(`  SIP ${point.transport.toUpperCase()} on ${point.host}:${String(point.port)}`);
  if (webUrl !== undefined) lines.push(`  HTTP API (message history) on ${webUrl}/webrtcgateway/`);
  if (webUrl !== undefined && facts.webChat === true) lines.push(`  Web chat on ${webUrl}/chat/`);
  if (admin !== undefined) {
    const authority = admin.host.includes(':') ? `[${admin.host}]` : admin.host;
    lines.push(
      `  Admin API on http://${authority}:${String(admin.port)}/tokens/ (Authorization: the secret in ${admin.secretIn})`,
    );
  }
  const relayCertificate = certificates.relay.selfSigned
    ? `self-signed certificate in ${certificates.relay.file}`
    : `certificate ${certificates.relay.file}`;
  lines.push(`  MSRP relay on msrps://${domain}:${String(msrpPort)};tcp (${relayCertificate})`);
  lines.push(...certificates.lines);
  if (password === undefined) {
    lines.push(
      'Accounts: `npx missive user list`; add one with `npx missive user add NAME@DOMAIN`,',
      '  set a new password with `npx missive user passwd NAME@DOMAIN`',
    );
  } else {
    lines.push(
      `Test account created: ${TEST_USER}@${domain}  password: ${password}`,
      'Try the relay from another terminal:',
      `  npx tsx src/cli/main.ts relay-check 'msrps://${domain}:${String(msrpPort)};tcp' ${TEST_USER} ${password} --insecure`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

export interface CertificateFacts {
  readonly relay: { readonly file: string; readonly selfSigned: boolean };
  /** One line per certificate file: which listeners present it. */
  readonly lines: readonly string[];
}

/** Which certificate each TLS listener presents; the self-signed default says how to give one's own. */
export function certificateFacts(set: ServerCertificateSet, webTls: boolean): CertificateFacts {
  const users = new Map<string, { selfSigned: boolean; listeners: string[] }>();
  const listeners: [string, ServerCertificateSet['sip']][] = [
    ['SIP TLS', set.sip],
    ...(webTls ? ([['HTTPS and wss', set.web]] as [string, ServerCertificateSet['sip']][]) : []),
    ['the MSRP relay', set.relay],
  ];
  for (const [name, certificate] of listeners) {
    const file = certificate.pair.files.certificate;
    const entry = users.get(file) ?? { selfSigned: certificate.selfSigned, listeners: [] };
    entry.listeners.push(name);
    users.set(file, entry);
  }
  const lines: string[] = [];
  for (const [file, entry] of users) {
    const what = entry.listeners.join(', ');
    lines.push(
      entry.selfSigned
        ? `  TLS (${what}): self-signed certificate; give your own with tls_certificate and tls_private_key`
        : `  TLS (${what}): certificate ${file}`,
    );
  }
  if (set.sni.length > 0)
    lines.push(`  TLS by server name (SNI): ${set.sni.map((pair) => pair.names.join(' ')).join(', ')}`);
  return {
    relay: { file: set.relay.pair.files.certificate, selfSigned: set.relay.selfSigned },
    lines,
  };
}
