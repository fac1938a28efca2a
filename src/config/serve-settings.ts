/**
 * Every setting of `missive serve`, once. The command-line options (`--sip-port`), the configuration file's
 * keys (`[SIP] sip_port`), the environment variables (`MISSIVE_SIP_PORT`), the help, the defaults and
 * `missive config check` are all derived from this table, so none of them can fall out of step.
 */
import { CLUSTER_SETTINGS } from './sections/cluster.js';
import { GENERAL_SETTINGS } from './sections/general.js';
import { MESSAGING_SETTINGS } from './sections/messaging.js';
import { FILE_TRANSFER_SETTINGS } from './sections/file-transfer.js';
import { PUSH_SETTINGS } from './sections/push.js';
import { RELAY_SETTINGS } from './sections/relay.js';
import type { SettingSpec } from './sections/setting-spec.js';
import { SIP_SETTINGS } from './sections/sip.js';
import { STORAGE_SETTINGS } from './sections/storage.js';
import { WEB_SETTINGS } from './sections/web.js';

export { SECTIONS, type SectionName, type SettingSpec } from './sections/setting-spec.js';

/** One table for every section, in the order `config check` and the sample file print them. */
export const SERVE_SETTINGS = {
  ...GENERAL_SETTINGS,
  ...SIP_SETTINGS,
  ...WEB_SETTINGS,
  ...MESSAGING_SETTINGS,
  ...PUSH_SETTINGS,
  ...FILE_TRANSFER_SETTINGS,
  ...RELAY_SETTINGS,
  ...STORAGE_SETTINGS,
  ...CLUSTER_SETTINGS,
} as const;

export type ServeSettingName = keyof typeof SERVE_SETTINGS;

export type ServeSettings = {
  readonly [K in ServeSettingName]: (typeof SERVE_SETTINGS)[K] extends SettingSpec<infer T> ? T : never;
};

export const SERVE_SETTING_NAMES = Object.keys(SERVE_SETTINGS) as ServeSettingName[];

/** `sipPort` → `sip_port`, the key in the configuration file. */
export function iniKey(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** `sipPort` → `--sip-port`. */
export function optionFlag(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** `sipPort` → `MISSIVE_SIP_PORT`. */
export function environmentVariable(name: string): string {
  return `MISSIVE_${iniKey(name).toUpperCase()}`;
}

/** The setting whose key is `key` (in any section), if any. */
export function settingOfKey(key: string): ServeSettingName | undefined {
  return SERVE_SETTING_NAMES.find((name) => iniKey(name) === key);
}

/** The setting's spec, typed loosely for code that handles every setting alike. */
export function specOf(name: ServeSettingName): SettingSpec<unknown> {
  return SERVE_SETTINGS[name] as SettingSpec<unknown>;
}
