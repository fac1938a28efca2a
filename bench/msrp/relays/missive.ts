/** `missive relay` (compiled: dist/src/cli/main.js) pinned to one core, msrprelay-style config.ini. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnPinned } from './proc.js';
import { DOMAIN, PASSWORD, type RelayLaunch, RunningRelay, USER_COUNT } from './relay.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const MISSIVE_MAIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

export function missiveConfig(launch: RelayLaunch, port: number): string {
  const tls = launch.transport === 'tls';
  const lines = [
    '[Relay]',
    `address = 127.0.0.1:${port}`,
    `debug_notls = ${tls ? 'no' : 'yes'}`,
    ...(tls ? [`certificate = ${launch.certFile}`, `key = ${launch.keyFile}`, 'hostname = localhost'] : []),
    'backend = memory',
    'log_level = warning',
    ...(launch.missiveSettings ?? []),
    '[Memory]',
  ];
  for (let i = 0; i < USER_COUNT; i++) lines.push(`user${i}@${DOMAIN} = ${PASSWORD}`);
  return `${lines.join('\n')}\n`;
}

export async function startMissive(launch: RelayLaunch): Promise<RunningRelay> {
  const main = launch.missiveMain ?? MISSIVE_MAIN;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const port = await freePort();
  const configFile = join(launch.workDir, `missive-${launch.transport}.ini`);
  writeFileSync(configFile, missiveConfig(launch, port));
  const logFile = join(launch.workDir, `missive-${launch.transport}.log`);
  const args = [...(launch.nodeOptions ?? []), main, 'relay', '--config-file', configFile];
  const child = spawnPinned(launch.core, process.execPath, args, logFile);
  const relay = new RunningRelay('missive', launch.transport, port, logFile, child);
  try {
    await relay.waitUntilListening(15_000);
  } catch (error) {
    await relay.stop();
    throw new Error(`missive did not start (see ${logFile}): ${String(error)}`);
  }
  return relay;
}
