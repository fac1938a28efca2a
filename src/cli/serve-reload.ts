/**
 * SIGHUP's configuration for `missive serve`: the same inputs read again (the files and the environment as
 * they are now; the command line as it was, so it still wins), the server's settings made from them, and the
 * settings that changed since the running ones, each marked by the settings table as reloadable or not.
 */
import { isDeepStrictEqual } from 'node:util';
import { loadSettings, type SettingInputs } from '../config/load-settings.js';
import {
  iniKey,
  SERVE_SETTING_NAMES,
  type ServeSettingName,
  type ServeSettings,
  specOf,
} from '../config/serve-settings.js';
import type { Reload } from '../server/signals.js';
import { serverSettings } from './serve-command.js';
import { serveOptions } from './serve-options.js';

export function configurationReload(
  inputs: Omit<SettingInputs, 'environment'>,
  started: ServeSettings,
): () => Promise<Reload> {
  // What runs: the start's values, and the reloadable ones as each reload applied them.
  let running = started;
  return async () => {
    const loaded = await loadSettings({ ...inputs, environment: process.env });
    if (!loaded.ok) return loaded;
    const values = loaded.value.values;
    const changedNames = SERVE_SETTING_NAMES.filter(
      (name) => !isDeepStrictEqual(running[name], values[name]),
    );
    return {
      ok: true,
      settings: await serverSettings(serveOptions(values)),
      changed: changedNames.map((name) => ({
        setting: `[${specOf(name).section}] ${iniKey(name)}`,
        reloads: specOf(name).reloads === true,
      })),
      applied: () => {
        const next: Partial<Record<ServeSettingName, unknown>> = { ...running };
        for (const name of changedNames) if (specOf(name).reloads === true) next[name] = values[name];
        running = next as ServeSettings;
      },
    };
  };
}
