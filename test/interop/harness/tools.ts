/** Which real peers are installed here, so that tests can skip with a useful message when one is not. */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export type PeerTool = 'sipp' | 'sipsak' | 'baresip' | 'kamailio' | 'kamailio-tls' | 'dnsmasq';

/** The programs; a module (kamailio-tls) is found with kamailioModulesDir(). */
export const TOOL_PATHS: Readonly<Record<Exclude<PeerTool, 'kamailio-tls'>, string>> = {
  sipp: '/usr/bin/sipp',
  sipsak: '/usr/bin/sipsak',
  baresip: '/usr/bin/baresip',
  kamailio: '/usr/sbin/kamailio',
  dnsmasq: '/usr/sbin/dnsmasq',
};

/** Debian's multiarch triplets (the directory under /usr/lib) of the architectures Node runs on here. */
const MULTIARCH: Readonly<Partial<Record<NodeJS.Architecture, string>>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/**
 * Where this system's Kamailio loads its modules from: what `kamailio -I` says it was built with, else
 * Debian's multiarch directory for this architecture.
 */
export function kamailioModulesDir(): string {
  try {
    const info = execFileSync(TOOL_PATHS.kamailio, ['-I'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const dir = /^\s*Default paths to modules:\s*(\S+)\s*$/m.exec(info)?.[1];
    if (dir !== undefined) return dir;
  } catch {
    // Not installed or not runnable: the multiarch guess, which missingPeers then finds absent or present.
  }
  return `/usr/lib/${MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`}/kamailio/modules`;
}

function toolPath(tool: PeerTool): string {
  return tool === 'kamailio-tls' ? join(kamailioModulesDir(), 'tls.so') : TOOL_PATHS[tool];
}

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
  const missing = tools.filter((tool) => !installed(toolPath(tool)));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((tool) => PACKAGES[tool]))].join(' ');
  return `${missing.join(', ')} not installed (apt-get install ${packages})`;
}
