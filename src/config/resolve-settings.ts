/**
 * The effective settings of `missive serve`: for each one, the command line wins over the environment, the
 * environment over the configuration files (missive's own over SylkServer's), and those over the default.
 * Every value is checked by its setting's kind; every problem is collected, so one start names them all.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { FileValue, FileValues } from './file-values.js';
import {
  environmentVariable,
  iniKey,
  optionFlag,
  SERVE_SETTING_NAMES,
  type ServeSettingName,
  type ServeSettings,
  specOf,
} from './serve-settings.js';

export type SettingSource =
  | { readonly from: 'default' }
  | { readonly from: 'command line'; readonly flag: string }
  | { readonly from: 'environment'; readonly variable: string }
  | { readonly from: 'file'; readonly value: FileValue };

export interface ResolvedSettings {
  readonly values: ServeSettings;
  readonly sources: Readonly<Record<ServeSettingName, SettingSource>>;
}

export interface SettingLayers {
  /** Values given on the command line, already checked (the command line parses with the same kinds). */
  readonly commandLine: Readonly<Partial<Record<ServeSettingName, unknown>>>;
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** The files' values, the one that wins first: missive's own file, then SylkServer's. */
  readonly files: readonly FileValues[];
}

export type Resolved =
  | { readonly ok: true; readonly value: ResolvedSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

export function resolveSettings(layers: SettingLayers): Resolved {
  const values: Partial<Record<ServeSettingName, unknown>> = {};
  const sources: Partial<Record<ServeSettingName, SettingSource>> = {};
  const problems: string[] = [];
  for (const name of SERVE_SETTING_NAMES) {
    const spec = specOf(name);
    const given = layers.commandLine[name];
    if (given !== undefined) {
      values[name] = given;
      sources[name] = { from: 'command line', flag: optionFlag(name) };
      continue;
    }
    const variable = environmentVariable(name);
    const fromEnvironment = layers.environment[variable];
    // An empty variable counts as unset, as a shell's `VAR= missive serve` means.
    if (fromEnvironment !== undefined && fromEnvironment !== '') {
      const parsed = spec.kind.parse(fromEnvironment);
      if (parsed.ok) {
        values[name] = parsed.value;
        sources[name] = { from: 'environment', variable };
      } else {
        const shown = spec.secret === true ? '(secret)' : fromEnvironment;
        problems.push(`environment variable ${variable}=${shown}: expected ${parsed.expected}`);
      }
      continue;
    }
    const fromFile = layers.files.map((file) => file.get(name)).find((value) => value !== undefined);
    if (fromFile !== undefined) {
      const parsed = spec.kind.parse(fromFile.text);
      if (parsed.ok) {
        values[name] = spec.path === true ? relativeToFile(parsed.value, fromFile.file) : parsed.value;
        sources[name] = { from: 'file', value: fromFile };
      } else {
        problems.push(`${fileWhere(fromFile, spec.secret === true, name)}: expected ${parsed.expected}`);
      }
      continue;
    }
    values[name] = spec.default;
    sources[name] = { from: 'default' };
  }
  if (problems.length === 0) problems.push(...sharedPorts(values));
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      values: values as ServeSettings,
      sources: sources as Record<ServeSettingName, SettingSource>,
    },
  };
}

/** `FILE:LINE: [Section] key = value`, and which missive setting a SylkServer key stands for. */
function fileWhere(value: FileValue, secret: boolean, name: ServeSettingName): string {
  const line = value.line === undefined ? '' : `:${String(value.line)}`;
  const shown = secret ? '(secret)' : value.text;
  const standsFor = value.sylkServer === true ? ` (missive's [${specOf(name).section}] ${iniKey(name)})` : '';
  return `${value.file}${line}: [${value.section}] ${value.key} = ${shown}${standsFor}`;
}

/** A relative path in a file is relative to that file, as a service's working directory is anyone's guess. */
function relativeToFile(value: unknown, file: string): unknown {
  return typeof value === 'string' && !isAbsolute(value) ? resolve(dirname(file), value) : value;
}

/** Where a value came from, as `config check` and error messages say it. */
export function describeSource(source: SettingSource): string {
  switch (source.from) {
    case 'default':
      return 'default';
    case 'command line':
      return `command line ${source.flag}`;
    case 'environment':
      return `environment ${source.variable}`;
    case 'file': {
      const { file, line, section, key, sylkServer } = source.value;
      const at = line === undefined ? file : `${file}:${String(line)}`;
      return sylkServer === true ? `${at} (SylkServer [${section}] ${key})` : at;
    }
  }
}

/** Two listeners on one port: every one of them is TCP (SIP's UDP port is its TCP port too), so they clash. */
function sharedPorts(values: Partial<Record<ServeSettingName, unknown>>): string[] {
  const byPort = new Map<number, ServeSettingName[]>();
  for (const name of SERVE_SETTING_NAMES) {
    const port = values[name];
    // 0 asks the system for a free port, -1 turns the listener off.
    if (specOf(name).listens === undefined || typeof port !== 'number' || port <= 0) continue;
    byPort.set(port, [...(byPort.get(port) ?? []), name]);
  }
  return [...byPort]
    .filter(([, names]) => names.length > 1)
    .map(
      ([port, names]) =>
        `${names.map(optionFlag).join(' and ')} share port ${String(port)}: each listener needs its own port`,
    );
}
