/**
 * Kamailio's msrp module as the peer relay: deploy/kamailio-msrp/kamailio-msrp.cfg with the transport,
 * port and TLS files filled in, run in the foreground (`-DD -E`) pinned to one core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kamailioModulesDir } from '../../../test/interop/harness/tools.js';
import { freePort, spawnPinned } from './proc.js';
import { type RelayLaunch, RunningRelay } from './relay.js';

export const KAMAILIO_BINARY = '/usr/sbin/kamailio';
const CONFIG_DIR = join(import.meta.dirname, '..', '..', '..', 'deploy', 'kamailio-msrp');
/** Shared memory for 10,000 sessions (TLS needs the most); touched pages only count in PSS. */
const SHM_MB = 2048;
const PKG_MB = 64;

/** undefined when Kamailio and its msrp/tls modules are installed; otherwise what to do about it. */
export function kamailioProblem(): string | undefined {
  const modules = kamailioModulesDir();
  if (!existsSync(KAMAILIO_BINARY) || !existsSync(join(modules, 'msrp.so'))) {
    return 'Kamailio is not installed (needs the msrp module).';
  }
  if (!existsSync(join(modules, 'tls.so'))) return "Kamailio's tls module is not installed.";
  return undefined;
}

export const KAMAILIO_INSTALL_HINT =
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kamailio kamailio-tls-modules';

export function kamailioVersion(): string {
  try {
    const text = execFileSync(KAMAILIO_BINARY, ['-v'], { encoding: 'utf8' });
    return /version: (kamailio \S+)/.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function kamailioConfigPath(): string {
  return join(CONFIG_DIR, 'kamailio-msrp.cfg');
}

export async function startKamailio(launch: RelayLaunch): Promise<RunningRelay> {
  const port = await freePort();
  const tls = launch.transport === 'tls';
  const tlsCfg = join(launch.workDir, 'tls.cfg');
  if (tls) {
    const template = readFileSync(join(CONFIG_DIR, 'tls.cfg.in'), 'utf8');
    writeFileSync(tlsCfg, template.replaceAll('@KEY@', launch.keyFile).replaceAll('@CERT@', launch.certFile));
  }
  const config = readFileSync(kamailioConfigPath(), 'utf8')
    .replaceAll('@PROTO@', launch.transport)
    .replaceAll('@PORT@', String(port))
    .replaceAll('@ENABLE_TLS@', tls ? 'yes' : 'no')
    .replaceAll('@TLS_LOAD@', tls ? 'loadmodule "tls.so"' : '')
    .replaceAll('@TLS_PARAM@', tls ? `modparam("tls", "config", "${tlsCfg}")` : '')
    .replaceAll('@OPEN_FILES@', String(launch.fdLimit))
    .replaceAll('@MAX_CONNECTIONS@', String(Math.max(1024, launch.fdLimit - 200)));
  const configFile = join(launch.workDir, `kamailio-${launch.transport}.cfg`);
  writeFileSync(configFile, config);
  const logFile = join(launch.workDir, `kamailio-${launch.transport}.log`);
  const args = [
    '-f',
    configFile,
    '-DD',
    '-E',
    '-Y',
    launch.workDir,
    '-m',
    String(SHM_MB),
    '-M',
    String(PKG_MB),
  ];
  const child = spawnPinned(launch.core, KAMAILIO_BINARY, args, logFile);
  const relay = new RunningRelay('kamailio', launch.transport, port, logFile, child);
  try {
    await relay.waitUntilListening(15_000);
  } catch (error) {
    await relay.stop();
    throw new Error(`Kamailio did not start (see ${logFile}): ${String(error)}`);
  }
  return relay;
}
