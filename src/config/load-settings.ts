/**
 * Where `missive serve` and `missive config check` get their settings: the command line, the environment,
 * `--config FILE` (missive's INI file) and `--sylkserver-config DIR` (SylkServer's files), in that order.
 */
import { resolve } from 'node:path';
import { type FileValues, missiveFileValues, readIniFile } from './file-values.js';
import { type ResolvedSettings, resolveSettings } from './resolve-settings.js';
import type { ServeSettingName } from './serve-settings.js';
import { readSylkServerConfig, type SylkServerConfig } from './sylkserver-files.js';

export interface SettingInputs {
  readonly configFile?: string | undefined;
  readonly sylkServerDir?: string | undefined;
  readonly commandLine: Readonly<Partial<Record<ServeSettingName, unknown>>>;
  readonly environment: Readonly<Record<string, string | undefined>>;
}

export interface LoadedSettings extends ResolvedSettings {
  /** The files read, missive's first. */
  readonly files: readonly string[];
  readonly sylkServer: SylkServerConfig | undefined;
}

export type Loaded =
  | { readonly ok: true; readonly value: LoadedSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

export async function loadSettings(inputs: SettingInputs): Promise<Loaded> {
  const layers: FileValues[] = [];
  const files: string[] = [];
  const problems: string[] = [];
  if (inputs.configFile !== undefined) {
    const file = resolve(inputs.configFile);
    const read = await readIniFile(file);
    const values = read.ok ? missiveFileValues(read.value, file) : read;
    if (values.ok) {
      layers.push(values.value);
      files.push(file);
    } else problems.push(...values.problems);
  }
  let sylkServer: SylkServerConfig | undefined;
  if (inputs.sylkServerDir !== undefined) {
    const read = await readSylkServerConfig(resolve(inputs.sylkServerDir));
    if (read.ok) {
      sylkServer = read.value;
      layers.push(read.value.values);
      files.push(...read.value.files);
    } else problems.push(...read.problems);
  }
  if (problems.length > 0) return { ok: false, problems };
  const resolved = resolveSettings({
    commandLine: inputs.commandLine,
    environment: inputs.environment,
    files: layers,
  });
  return resolved.ok ? { ok: true, value: { ...resolved.value, files, sylkServer } } : resolved;
}
