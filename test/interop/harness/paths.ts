/** Where the interop files live, independent of the current directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (one definition, in test/support/node-program.ts). */
export { REPO_ROOT } from '../../support/node-program.js';
export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
export const KAMAILIO_CONFIG_DIR = fileURLToPath(new URL('../kamailio/', import.meta.url));

/** The sipp scenarios in test/interop/scenarios/ (see the comment at the top of each file). */
export type ScenarioName =
  | 'register'
  | 'message-uac'
  | 'message-uac-auth'
  | 'message-uac-cpim'
  | 'message-uas'
  | 'message-uas-replica'
  | 'invite-uac'
  | 'invite-uas'
  | 'cancel-uac'
  | 'cancel-uas';

/** The path of a named scenario; any other string is taken as a path as it is. */
export function scenarioPath(scenario: ScenarioName | (string & {})): string {
  return scenario.includes('/') || scenario.endsWith('.xml')
    ? scenario
    : join(SCENARIO_DIR, `${scenario}.xml`);
}

/** A fresh temporary directory for one peer's files. */
export function makeWorkDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `missive-interop-${prefix}-`));
}

/**
 * Removes a directory the harness made, unless MISSIVE_INTEROP_KEEP_FILES=1 (to read peers' logs and
 * configs after a run).
 */
export function removeWorkDir(dir: string): void {
  if (process.env.MISSIVE_INTEROP_KEEP_FILES === '1') return;
  rmSync(dir, { recursive: true, force: true });
}
