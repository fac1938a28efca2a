/** What `missive serve` prints once everything listens: where each part is, and the test account if made. */
import type { AdminAddress } from './parts.js';

export const TEST_USER = 'test';

export interface BannerFacts {
  readonly domain: string;
  readonly points: readonly { transport: string; host: string; port: number }[];
  readonly webUrl: string | undefined;
  readonly admin: AdminAddress | undefined;
  readonly msrpPort: number;
  readonly certificate: string;
  readonly password: string | undefined;
}

export function banner(facts: BannerFacts): string {
  const { domain, points, webUrl, admin, msrpPort, certificate, password } = facts;
  const lines = ['', `missive is serving SIP domain ${domain}:`];
  for (const point of points)
    lines.push(`  SIP ${point.transport.toUpperCase()} on ${point.host}:${String(point.port)}`);
  if (webUrl !== undefined) lines.push(`  HTTP API (message history) on ${webUrl}/webrtcgateway/`);
  if (admin !== undefined) {
    const authority = admin.host.includes(':') ? `[${admin.host}]` : admin.host;
    lines.push(
      `  Admin API on http://${authority}:${String(admin.port)}/tokens/ (Authorization: the secret in ${admin.secretIn})`,
    );
  }
  lines.push(
    `  MSRP relay on msrps://${domain}:${String(msrpPort)};tcp (self-signed certificate in ${certificate})`,
  );
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
