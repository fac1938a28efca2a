/** Which real peers are installed here, so that tests can skip with a useful message when one is not. */
import { accessSync, constants } from 'node:fs';

export type PeerTool = 'sipp' | 'sipsak' | 'baresip' | 'kamailio' | 'kamailio-tls' | 'dnsmasq';

export const TOOL_PATHS: Readonly<Record<PeerTool, string>> = {
  sipp: '/usr/bin/sipp',
  sipsak: '/usr/bin/sipsak',
  baresip: '/usr/bin/baresip',
  kamailio: '/usr/sbin/kamailio',
  'kamailio-tls': '/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so',
  dnsmasq: '/usr/sbin/dnsmasq',
};

const PACKAGES: Readonly<Record<PeerTool, string>> = {
  sipp: 'sip-tester',
  sipsak: 'sipsak',
  baresip: 'baresip-core',
  kamailio: 'kamailio',
  'kamailio-tls': 'kamailio-tls-modules',
  dnsmasq: 'dnsmasq-base',
};

function installed(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * undefined when every tool is installed; otherwise a skip message naming what is missing and the
 * Debian packages that provide it.
 */
export function missingPeers(tools: readonly PeerTool[]): string | undefined {
  const missing = tools.filter((tool) => !installed(TOOL_PATHS[tool]));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((tool) => PACKAGES[tool]))].join(' ');
  return `${missing.join(', ')} not installed (apt-get install ${packages})`;
}
