/** What a setting of `missive serve` is: its section, value kind, default and help. */
import type { ValueKind } from '../setting-values.js';

/** The configuration file's sections, one per part of missive, in the order `config check` prints them. */
export const SECTIONS = [
  'General',
  'SIP',
  'Web',
  'Messaging',
  'Push',
  'FileTransfer',
  'Relay',
  'Storage',
  'Cluster',
] as const;

export type SectionName = (typeof SECTIONS)[number];

export interface SettingSpec<T> {
  readonly section: SectionName;
  readonly kind: ValueKind<T>;
  readonly default: T;
  readonly help: string;
  /** What help says the default is, when the value alone would not tell (a derived default). */
  readonly defaultText?: string;
  /** From a file or the environment only: never on the command line (`ps` shows it), never printed. */
  readonly secret?: boolean;
  /** For a part missive does not have yet: accepted, and reported as such by `config check`. */
  readonly notUsedYet?: boolean;
  /** A path: relative to the file it is written in (from the command line or a variable: to the working directory). */
  readonly path?: boolean;
  /** Opens a listening port: a taken port names this setting (cli/listen-error.ts). */
  readonly listens?: string;
  /** SIGHUP applies a new value to the running server (server/reconfigure.ts); any other change needs a restart. */
  readonly reloads?: boolean;
}

export const setting = <T>(spec: SettingSpec<T>): SettingSpec<T> => spec;
