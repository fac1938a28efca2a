/** Reading msrprelay's configuration files into relay settings and a credential store. */
import { dirname, join, resolve } from 'node:path';
import { IniDocument } from '../ini/ini.js';
import { MemoryCredentialStore } from '../credentials/memory.js';
import type { CredentialStore } from '../credentials/store.js';
import { openSqlCredentialStore, readDatabaseSettings } from '../credentials/sql/index.js';
import { SettingsError } from '../ini/settings-error.js';
import { readRelaySettings, type RelaySettings } from '../msrp/relay/settings.js';

export interface RelayConfigLocation {
  readonly configFile?: string | undefined;
  readonly configDir?: string | undefined;
}

export interface RelayConfig {
  readonly settings: RelaySettings;
  readonly credentials: CredentialStore;
  readonly files: readonly string[];
}

/**
 * msrprelay read /etc/msrprelay/config.ini and then the local config.ini over it; `--config-file` names
 * exactly one file instead.
 */
export function configFiles(location: RelayConfigLocation): { files: string[]; directory: string } {
  if (location.configFile !== undefined) {
    const file = resolve(location.configFile);
    return { files: [file], directory: dirname(file) };
  }
  const files = ['/etc/msrprelay/config.ini'];
  const directory = location.configDir === undefined ? '/etc/msrprelay' : resolve(location.configDir);
  if (location.configDir !== undefined) files.push(join(directory, 'config.ini'));
  return { files, directory };
}

export async function loadRelayConfig(location: RelayConfigLocation): Promise<RelayConfig> {
  const { files, directory } = configFiles(location);
  const ini = await IniDocument.readFiles(files);
  if (location.configFile !== undefined && ini.files.length === 0) {
    throw new SettingsError([`cannot read ${files[0] ?? ''}`]);
  }
  const settings = readRelaySettings(ini, directory);
  return { settings, credentials: await credentialStore(settings, ini, directory), files: ini.files };
}

async function credentialStore(
  settings: RelaySettings,
  ini: IniDocument,
  directory: string,
): Promise<CredentialStore> {
  if (settings.backend === 'memory') {
    const entries = ini.hasSection('Memory') ? ini.entries('Memory') : [];
    return new MemoryCredentialStore(entries.map((entry) => [entry.rawKey, entry.rawValue.trim()] as const));
  }
  try {
    return await openSqlCredentialStore(readDatabaseSettings(ini, directory));
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    throw new SettingsError([`[Database] ${(error as Error).message}`]);
  }
}
