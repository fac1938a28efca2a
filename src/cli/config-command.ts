/**
 * `missive config check`: the settings `missive serve` would start with, given the same options, variables
 * and files, and where each came from; SylkServer keys that missive does not use are listed with why.
 * Exit status 1, with the problems, when `serve` would refuse to start (the certificate files included).
 */
import { stat } from 'node:fs/promises';
import type { LoadedSettings, SettingInputs } from '../config/load-settings.js';
import { loadSettings } from '../config/load-settings.js';
import { describeSource } from '../config/resolve-settings.js';
import {
  environmentVariable,
  iniKey,
  SECTIONS,
  SERVE_SETTING_NAMES,
  specOf,
} from '../config/serve-settings.js';

export async function runConfigCheck(inputs: SettingInputs, out: NodeJS.WritableStream): Promise<number> {
  const loaded = await loadSettings(inputs);
  if (!loaded.ok) {
    out.write(`The configuration has problems; missive serve would not start:\n`);
    for (const problem of loaded.problems) out.write(`  ${problem}\n`);
    return 1;
  }
  out.write(effectiveSettings(loaded.value));
  const { checkCertificateFiles } = await import('../server/certificates.js');
  const { tlsSettings } = await import('./serve-command.js');
  const { serveOptions } = await import('./serve-options.js');
  const certificates = await checkCertificateFiles(
    tlsSettings(serveOptions(loaded.value.values)),
    new Date(),
  );
  for (const warning of certificates.warnings) out.write(`Warning: ${warning}\n`);
  if (certificates.problems.length > 0) {
    out.write(`The TLS certificates have problems; missive serve would not start:\n`);
    for (const problem of certificates.problems) out.write(`  ${problem}\n`);
    return 1;
  }
  for (const warning of await exposedSecrets(loaded.value)) out.write(`${warning}\n`);
  const strangers = unknownVariables(inputs.environment);
  if (strangers.length > 0) {
    out.write(`Variables that are not settings of missive serve (a typo?): ${strangers.join(', ')}\n`);
  }
  return 0;
}

/** A file that holds a secret should be readable by missive's user only, as msrprelay's config.ini should. */
async function exposedSecrets(settings: LoadedSettings): Promise<string[]> {
  const warnings: string[] = [];
  for (const name of SERVE_SETTING_NAMES) {
    const source = settings.sources[name];
    if (specOf(name).secret !== true || source.from !== 'file') continue;
    const mode = (await stat(source.value.file)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      warnings.push(
        `${source.value.file} holds ${iniKey(name)} and others can read it (mode ${mode.toString(8)}): chmod 600 it`,
      );
    }
  }
  return warnings;
}

/** MISSIVE_* variables that name no setting: serve ignores them, so a misspelt one would go unnoticed. */
function unknownVariables(environment: Readonly<Record<string, string | undefined>>): string[] {
  const known = new Set(SERVE_SETTING_NAMES.map(environmentVariable));
  return Object.keys(environment)
    .filter((name) => name.startsWith('MISSIVE_') && !known.has(name))
    .sort();
}

/** The report: one line per setting, by section, as `key = value` then its source. */
export function effectiveSettings(settings: LoadedSettings): string {
  const files = settings.files.length === 0 ? 'no configuration file' : settings.files.join(', ');
  const lines = [`Effective settings of missive serve (${files}):`];
  for (const section of SECTIONS) {
    lines.push('', `[${section}]`);
    for (const name of SERVE_SETTING_NAMES) {
      const spec = specOf(name);
      if (spec.section !== section) continue;
      const value = settings.values[name];
      const shown = spec.secret === true && value !== undefined ? '(set, not shown)' : spec.kind.show(value);
      const source = settings.sources[name];
      const unset = value === undefined && spec.defaultText !== undefined ? `: ${spec.defaultText}` : '';
      const notYet = spec.notUsedYet === true ? '; not used yet' : '';
      const entry = `${iniKey(name)} = ${shown}`;
      lines.push(`${entry.padEnd(40)} # ${describeSource(source)}${unset}${notYet}`);
    }
  }
  const sylkServer = settings.sylkServer;
  if (sylkServer !== undefined && sylkServer.notUsed.length > 0) {
    lines.push('', "Not used from SylkServer's files:");
    for (const key of sylkServer.notUsed) {
      const at = key.line === undefined ? key.file : `${key.file}:${String(key.line)}`;
      lines.push(`  ${at} [${key.section}] ${key.key}: ${key.why}`);
    }
  }
  if (sylkServer !== undefined && sylkServer.notes.length > 0) {
    lines.push('', 'Notes:', ...sylkServer.notes.map((note) => `  ${note}`));
  }
  lines.push('');
  return lines.join('\n');
}
